"""The command line: version, check-config on good and bad files, port 0 and --port-file,
--listen, refusing to start on a bad config."""

import os
import subprocess
import unittest

from agtest import BIN, SOURCE_DIR, Daemon, temp_dir


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=30)


class Cli(unittest.TestCase):
    def test_version(self):
        r = run("version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^alertgate \d+\.\d+\.\d+")

    def test_check_config_example(self):
        r = run("check-config", "--config", os.path.join(SOURCE_DIR, "config/alertgate.yaml"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ok", r.stdout)

    def test_check_config_reports_every_problem_with_position(self):
        d = temp_dir()
        os.mkdir(os.path.join(d, "tenants"))
        with open(os.path.join(d, "alertgate.yaml"), "w") as f:
            f.write("listen: [\"127.0.0.1:0\"]\ntenants_dir: tenants\nthreads: 0\nlimit:\n  x: 1\n")
        r = run("check-config", "--config", os.path.join(d, "alertgate.yaml"))
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, r"alertgate\.yaml:3:\d+: ")   # threads out of range
        self.assertRegex(r.stderr, r"alertgate\.yaml:4:1: .*limit")  # unknown key

    def test_check_config_bad_tenant(self):
        d = temp_dir()
        os.mkdir(os.path.join(d, "tenants"))
        with open(os.path.join(d, "alertgate.yaml"), "w") as f:
            f.write("tenants_dir: tenants\n")
        with open(os.path.join(d, "tenants", "t1.yaml"), "w") as f:
            f.write('tenant_id: "t1"\nrules:\n  - severity: critical\n    destinations:\n'
                    '      - type: slak\n')
        r = run("check-config", "--config", os.path.join(d, "alertgate.yaml"))
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, r"t1\.yaml:5:\d+: .*slak")

    def test_check_config_lint_warnings(self):
        d = temp_dir()
        os.mkdir(os.path.join(d, "tenants"))
        config = os.path.join(d, "alertgate.yaml")
        with open(config, "w") as f:
            f.write("tenants_dir: tenants\n")
        with open(os.path.join(d, "tenants", "t1.yaml"), "w") as f:
            f.write('tenant_id: "t1"\nrules:\n  - destinations: [{type: log}]\n'
                    '  - severity: critical\n    destinations: [{type: log}]\n')
        r = run("check-config", "--config", config)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 warning(s)", r.stdout)
        self.assertRegex(r.stderr, r"t1\.yaml:4:5: warning: rule can never match: the rule at 3:5")
        strict = run("check-config", "--strict", "--config", config)
        self.assertEqual(strict.returncode, 1)
        self.assertIn("t1.yaml:4:5: warning: ", strict.stderr)

    def test_check_config_warns_about_email_without_smtp(self):
        d = temp_dir()
        os.mkdir(os.path.join(d, "tenants"))
        config = os.path.join(d, "alertgate.yaml")
        with open(config, "w") as f:
            f.write("tenants_dir: tenants\n")
        with open(os.path.join(d, "tenants", "t1.yaml"), "w") as f:
            f.write('tenant_id: "t1"\nrules:\n  - destinations: [{type: email, address: a@b.c}]\n')
        r = run("check-config", "--config", config)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 warning(s)", r.stdout)
        self.assertRegex(r.stderr, r"t1\.yaml:3:20: warning: email destination email\(a@b\.c\) "
                                   r"cannot deliver: the main config has no smtp\.url")
        with open(config, "a") as f:
            f.write("smtp:\n  url: smtp://127.0.0.1:25\n")
        r = run("check-config", "--config", config)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("warning", r.stdout + r.stderr)

    def test_serve_refuses_bad_config(self):
        d = temp_dir()
        path = os.path.join(d, "alertgate.yaml")
        with open(path, "w") as f:
            f.write("threads: many\n")
        r = run("serve", "--config", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("alertgate.yaml:1:", r.stderr)

    def test_port_zero_and_listen_override(self):
        with Daemon(args=["--listen", "127.0.0.1:0"]) as d:
            self.assertGreater(d.port, 0)
            self.assertEqual(d.request("GET", "/-/healthy")[0], 200)
            logs = [l for l in d.log_lines() if l["msg"] == "listening"]
            self.assertEqual(logs[0]["port"], d.port)

    def test_example_config_serves(self):
        """What `make run` starts: the example config, its demo tenants and tokens."""
        import json
        import signal
        import time
        d = temp_dir()
        port_file = os.path.join(d, "port")
        out_path = os.path.join(d, "stdout")
        with open(out_path, "wb") as out:
            proc = subprocess.Popen(
                [BIN, "serve", "--config", os.path.join(SOURCE_DIR, "config/alertgate.yaml"),
                 "--listen", "127.0.0.1:0", "--port-file", port_file],
                stdout=out, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while not os.path.exists(port_file) and time.monotonic() < deadline:
                time.sleep(0.01)
            with open(port_file) as f:
                port = int(f.read())
            import http.client
            # The seed tenant's rules send critical alerts to Slack and PagerDuty and
            # warnings by email: an `info` alert matches none of them, so this test stays
            # on loopback (it is counted as unrouted).
            for token, name, sev in (("demo-token", "DemoAlert", "crit"),
                                     ("demo-token-t1024", "SeedAlert", "info")):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", "/api/v2/alerts",
                             body=json.dumps([{"labels": {"alertname": name, "severity": sev}}]),
                             headers={"Authorization": "Bearer " + token,
                                      "Content-Type": "application/json"})
                self.assertEqual(conn.getresponse().status, 200)
                conn.close()

            def unrouted():
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/metrics")
                text = conn.getresponse().read().decode()
                conn.close()
                return ('alertgate_tenant_routing_total{event="unrouted",tenant="t-1024"} 1'
                        in text)
            deadline = time.monotonic() + 10
            while not unrouted() and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertTrue(unrouted())
        finally:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=20), 0)
        with open(out_path) as f:
            got = {a["labels"]["alertname"]: a for a in map(json.loads, f)}
        self.assertEqual(got["DemoAlert"]["tenant_id"], "demo")
        self.assertEqual(got["DemoAlert"]["severity"], "critical")
        self.assertNotIn("SeedAlert", got)

    def test_ipv6_loopback(self):
        d = Daemon(args=["--listen", "[::1]:0"])
        d.start(wait_ready=False)
        try:
            import http.client
            conn = http.client.HTTPConnection("::1", d.port, timeout=10)
            conn.request("GET", "/-/healthy")
            self.assertEqual(conn.getresponse().status, 200)
        finally:
            d.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
