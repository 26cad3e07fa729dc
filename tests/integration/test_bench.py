"""`alertgate bench` against a real alertgate: a 3-second open-loop run with the embedded
sink as the daemon's webhook receiver; every sent alert must be acknowledged, delivered and
counted, and the JSON report must be complete. No timing assertions: latencies are only
checked for being present and ordered."""

import json
import os
import socket
import subprocess
import unittest

from agtest import BIN, Daemon, temp_dir

# Every key of the JSON report (src/bench/bench_report.cpp, include/alertgate/bench/bench_report.hpp).
REPORT_KEYS = {
    "target", "duration_s", "offered_rate", "achieved_rate", "requests_sent", "alerts_sent",
    "alerts_acked", "alerts_delivered", "status_counts", "ack_latency_ms",
    "end_to_end_latency_ms", "tenants", "target_process", "load", "late_sends",
    "delivered_duplicates", "sink_unreadable", "kafka_latency_ms", "kafka_messages",
    "timeline", "ack_curve", "e2e_curve", "slo", "ramp", "sustainable_rate", "plan",
}
LATENCY_KEYS = {"count", "p50", "p90", "p95", "p99", "p99_9", "max", "mean"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench(*args, timeout=90):
    return subprocess.run([BIN, "bench", *args], capture_output=True, text=True, timeout=timeout)


class BenchHarness(unittest.TestCase):
    def start_target(self, tenants=3):
        """A daemon configured by `bench --write-config` to deliver to the bench's sink."""
        cfg = temp_dir()
        self.sink_port = free_port()
        r = bench("--write-config", cfg, "--sink-url",
                  f"http://127.0.0.1:{self.sink_port}/hook", "--tenants", str(tenants))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.tokens = os.path.join(cfg, "tokens.txt")
        files = {}
        for name in sorted(os.listdir(os.path.join(cfg, "tenants"))):
            with open(os.path.join(cfg, "tenants", name)) as f:
                files[name[:-len(".yaml")]] = f.read()
        self.assertEqual(len(files), tenants)
        daemon = Daemon(tenants=files, threads=2)
        daemon.start()
        self.addCleanup(daemon.__exit__)
        return daemon

    def test_three_second_run_counts_every_alert_end_to_end(self):
        daemon = self.start_target()
        out = temp_dir()
        json_path, html_path = os.path.join(out, "r.json"), os.path.join(out, "r.html")
        r = bench("--target", f"http://127.0.0.1:{daemon.port}", "--rate", "2000",
                  "--duration", "3s", "--batch", "5", "--connections", "8",
                  "--tokens-file", self.tokens, "--sink-listen", f"127.0.0.1:{self.sink_port}",
                  "--drain", "20s", "--target-pid", str(daemon.proc.pid), "--slo-p99", "1s",
                  "--json", json_path, "--report", html_path, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        with open(json_path) as f:
            rep = json.load(f)
        self.assertEqual(set(rep), REPORT_KEYS)
        # 2000 alerts/s for 3 s in requests of 5: exactly 1200 requests, 6000 alerts.
        self.assertEqual(rep["requests_sent"], 1200)
        self.assertEqual(rep["alerts_sent"], 6000)
        self.assertEqual(rep["status_counts"], {"200": 1200})
        self.assertEqual(rep["alerts_acked"], 6000)
        self.assertEqual(rep["alerts_delivered"], 6000, "every acknowledged alert reached the sink")
        self.assertEqual(rep["sink_unreadable"], 0)
        self.assertEqual(rep["tenants"], {"count": 3, "acked_min": 2000, "acked_max": 2000})
        self.assertEqual(rep["load"]["batch"], 5)
        for key in ("ack_latency_ms", "end_to_end_latency_ms"):
            lat = rep[key]
            self.assertEqual(set(lat), LATENCY_KEYS)
            self.assertLessEqual(lat["p50"], lat["p99"])
            self.assertLessEqual(lat["p99"], lat["max"])
        self.assertEqual(rep["ack_latency_ms"]["count"], 1200)
        self.assertEqual(rep["end_to_end_latency_ms"]["count"], 6000)
        self.assertGreater(rep["target_process"]["rss_max_bytes"], 0)
        self.assertGreaterEqual(len(rep["timeline"]), 3)
        self.assertTrue(rep["ack_curve"] and rep["e2e_curve"])
        self.assertIsNotNone(rep["plan"])
        # The daemon's own count agrees with the bench's.
        self.assertEqual(daemon.metric("alertgate_alerts_received_total", tenant="bench-0001"), 2000)
        with open(html_path) as f:
            html = f.read()
        self.assertTrue(html.startswith("<!DOCTYPE html>"))
        self.assertIn("<svg", html)
        self.assertNotIn("<script", html)
        # The human table names what was measured.
        self.assertIn("end-to-end", r.stdout)

    def test_ramp_reports_steps(self):
        daemon = self.start_target(tenants=1)
        out = os.path.join(temp_dir(), "ramp.json")
        r = bench("--target", f"http://127.0.0.1:{daemon.port}", "--rate", "300",
                  "--ramp", "--ramp-step", "300", "--max-rate", "900", "--step-duration", "1s",
                  "--slo-p99", "2s", "--tokens-file", self.tokens,
                  "--sink-listen", f"127.0.0.1:{self.sink_port}", "--json", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        with open(out) as f:
            rep = json.load(f)
        steps = rep["ramp"]
        self.assertGreaterEqual(len(steps), 1)
        self.assertLessEqual(len(steps), 3)
        self.assertEqual([s["offered_rate"] for s in steps], [300.0, 600.0, 900.0][:len(steps)])
        # The ramp stops at the first step that breaks the SLO: the good ones are a prefix.
        verdicts = [s["within_slo"] for s in steps]
        good = verdicts.index(False) if False in verdicts else len(verdicts)
        self.assertEqual(verdicts[good + 1:], [], "no step after the one that broke the SLO")
        if good:
            self.assertEqual(rep["sustainable_rate"], steps[good - 1]["offered_rate"])
        else:
            self.assertIsNone(rep["sustainable_rate"])
        self.assertIn("ramp step", r.stdout)

    def test_bad_flags_and_unreachable_target(self):
        r = bench("--target", "http://127.0.0.1:1", "--format", "slack")
        self.assertEqual(r.returncode, 1)
        self.assertIn("slack", r.stderr)
        r = bench("--target", "ftp://x")
        self.assertEqual(r.returncode, 1)
        self.assertIn("http://", r.stderr)
        r = bench("--target", "http://127.0.0.1:1", "--ramp")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--slo-p99", r.stderr)
        r = bench("--target", f"http://127.0.0.1:{free_port()}", "--rate", "50",
                  "--duration", "200ms", "--timeout", "200ms", "--quiet")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("no answer", r.stderr)


if __name__ == "__main__":
    unittest.main()
