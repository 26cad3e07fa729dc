"""durability: wal with the real binary: alerts are acknowledged after the write-ahead log
synced them and still delivered; the log's segments are on disk under data_dir/wal/<shard>/;
a restart replays the log and serves again; a data_dir where the log cannot live stops the
start with a message naming it; a log that cannot grow (RLIMIT_FSIZE standing in for a full
disk) answers 503 and recovers by itself when space returns; and kill -9 under load loses no acknowledged alert: after
a restart on the same log, every alert that got its 200 reaches the receiver at least
once."""

import glob
import json
import os
import random
import subprocess
import unittest

from agtest import BIN, Daemon, SinkServer, sha256_token, wait_for

ALERT = [{"labels": {"alertname": "DiskFull", "severity": "critical", "instance": "db1"}}]


def restart(d):
    """Starts `d` again on its own directory: same config, same write-ahead log."""
    if os.path.exists(d.port_file):
        os.remove(d.port_file)  # else start() would read the old port
    d.start()


def webhook_tenant(url, **options):
    """Tenant acme (token acme-token) sending every alert to one webhook."""
    return json.dumps({"tenant_id": "acme", "tokens": [sha256_token("acme-token")],
                       "rules": [{"destinations": [{"type": "webhook", "url": url,
                                                    **options}]}]})


def alert_names(sink):
    """The alertnames a SinkServer received in webhook bodies."""
    return {a["labels"].get("alertname")
            for body in sink.bodies() for a in body.get("alerts", [])}


class WriteAheadLog(unittest.TestCase):
    def test_acknowledged_alerts_are_logged_and_delivered_across_a_restart(self):
        d = Daemon(config_extra="durability: wal\n")
        d.start()
        self.addCleanup(d.__exit__)
        status, body, _ = d.post_json("/api/v2/alerts", ALERT)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["accepted"], 1)
        pd = {"routing_key": "acme-token", "event_action": "trigger",
              "payload": {"summary": "queue stuck", "source": "mq1", "severity": "error"}}
        status, body, _ = d.post_json("/v2/enqueue", pd, token=None)
        self.assertEqual(status, 202, body)
        wait_for(lambda: len(d.delivered()) == 2, what="both alerts delivered")
        segments = glob.glob(os.path.join(d.dir, "data", "wal", "*", "*.wal"))
        self.assertTrue(segments, "the write-ahead log has segment files")
        self.assertGreater(sum(os.path.getsize(s) for s in segments), 0)
        self.assertEqual(d.metric("alertgate_ready"), 1)
        self.assertEqual(d.metric("alertgate_wal_appended_total"), 2)
        self.assertGreaterEqual(d.metric("alertgate_wal_commits_total"), 1)
        self.assertEqual(d.metric("alertgate_wal_segments"), len(segments))
        self.assertEqual(d.metric("alertgate_wal_io_errors_total"), 0)

        # A clean stop, then a start on the same log: it replays (nothing was left
        # unrouted) and serves.
        self.assertEqual(d.stop(), 0)
        restart(d)
        status, body, _ = d.post_json("/api/v2/alerts", [{"labels": {"alertname": "Again"}}])
        self.assertEqual(status, 200, body)
        wait_for(lambda: any(a["labels"].get("alertname") == "Again" for a in d.delivered()),
                 what="the alert after the restart")

    def test_a_data_dir_the_log_cannot_use_stops_the_start(self):
        d = Daemon(config_extra="durability: wal\n")
        # data_dir is a file: the log's directory cannot be made there.
        with open(os.path.join(d.dir, "data"), "w") as f:
            f.write("not a directory")
        r = subprocess.run([BIN, "serve", "--config", d.config_path], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("write-ahead log", r.stdout + r.stderr)


class FullDisk(unittest.TestCase):
    def test_a_log_that_cannot_grow_answers_503_and_recovers_by_itself(self):
        # RLIMIT_FSIZE stands in for a full disk (no mounts needed): writes past 256 KiB fail.
        d = Daemon(config_extra="durability: wal\n")
        d.start()
        self.addCleanup(d.__exit__)
        subprocess.run(["prlimit", "--pid", str(d.proc.pid), "--fsize=262144:unlimited"], check=True)
        conn = d.connection()
        statuses = []
        body = [{"labels": {"alertname": "Fill", "pad": "x" * 2000, "n": str(i)}}
                for i in range(20)]
        for _ in range(400):  # at most ~16 MB offered; the limit is hit long before
            status, hdrs, raw = d.request("POST", "/api/v2/alerts", body=body,
                                          token="acme-token", conn=conn)
            statuses.append(status)
            if status == 503:
                break
        conn.close()
        self.assertIn(200, statuses, "the log took alerts while it could grow")
        self.assertEqual(statuses[-1], 503, "the log refused once it could not grow")
        self.assertIn("log_unavailable", raw.decode())
        self.assertEqual(hdrs.get("retry-after"), "1")
        self.assertIsNone(d.proc.poll(), "the process survived the failed write")
        self.assertGreater(d.metric("alertgate_alerts_rejected_total", tenant="acme",
                                    reason="log_unavailable"), 0)
        # Space returns: the writer's probe finds it and ingest answers 200 again.
        subprocess.run(["prlimit", "--pid", str(d.proc.pid), "--fsize=unlimited:unlimited"], check=True)
        wait_for(lambda: d.request("POST", "/api/v2/alerts", body=[{"labels": {"alertname":
                                   "AfterSpace"}}], token="acme-token")[0] == 200,
                 timeout=15, interval=0.2, what="ingest accepted again")
        wait_for(lambda: d.request("GET", "/-/ready")[0] == 200, what="ready again")


class DamagedLog(unittest.TestCase):
    """A log left by kill -9 with undelivered alerts, then damaged on disk."""

    def crashed_log(self, count):
        # A receiver that never answers in time: nothing is delivered, every record stays.
        self.sink = SinkServer({"responses": [], "default": {"status": 200, "body": "ok",
                                                             "delay_ms": 60000}})
        self.addCleanup(self.sink.close)
        tenant = webhook_tenant(self.sink.url + "/hook", timeout="30s")
        d = Daemon(tenants={"acme": tenant}, config_extra="durability: wal\n", threads=1)
        d.start()
        names = [f"Damaged{i}" for i in range(count)]
        for name in names:
            status, _, _ = d.request("POST", "/api/v2/alerts",
                                     body=[{"labels": {"alertname": name}}], token="acme-token")
            self.assertEqual(status, 200)
        d.proc.kill()
        d.proc.wait()
        segments = sorted(glob.glob(os.path.join(d.dir, "data", "wal", "0", "*.wal")))
        self.assertEqual(len(segments), 1)
        return d, names, segments[0]

    def restart(self, d):
        self.sink.script({"responses": [], "default": {"status": 200, "body": "ok"}})
        restart(d)
        self.addCleanup(d.__exit__)

    def delivered(self):
        return alert_names(self.sink)

    def test_a_torn_tail_is_truncated_reported_and_the_rest_replays(self):
        d, names, segment = self.crashed_log(30)
        size = os.path.getsize(segment)
        with open(segment, "r+b") as f:
            f.truncate(size - 7)  # cut the last record in the middle
        self.restart(d)
        lines = [l for l in d.log_lines() if l.get("msg") == "write-ahead log tail truncated"]
        self.assertEqual(len(lines), 1, d.stderr())
        self.assertEqual(d.metric("alertgate_wal_repairs_total", action="truncated"), 1)
        self.assertEqual(lines[0]["file"], segment)
        # The torn record was the last alert: all the others are delivered.
        wait_for(lambda: set(names[:-1]) <= self.delivered(), timeout=30, interval=0.2,
                 what="the alerts before the torn record")

    def test_a_corrupt_byte_quarantines_the_segment_and_its_good_records_replay(self):
        d, names, segment = self.crashed_log(30)
        size = os.path.getsize(segment)
        with open(segment, "r+b") as f:
            f.seek(size * 3 // 4)
            byte = f.read(1)
            f.seek(size * 3 // 4)
            f.write(bytes([byte[0] ^ 0xFF]))
        self.restart(d)
        lines = [l for l in d.log_lines()
                 if l.get("msg") == "write-ahead log segment quarantined"]
        self.assertEqual(len(lines), 1, d.stderr())
        self.assertEqual(lines[0]["file"], segment)
        self.assertTrue(os.path.exists(lines[0]["moved_to"]), "moved aside, not deleted")
        self.assertEqual(d.metric("alertgate_wal_repairs_total", action="quarantined"), 1)
        # Records before the damage are logged again and delivered; none are lost silently.
        wait_for(lambda: set(names[:len(names) // 2]) <= self.delivered(), timeout=30,
                 interval=0.2, what="the alerts before the damage")


class CrashRecovery(unittest.TestCase):
    def test_kill_9_under_load_loses_no_acknowledged_alert(self):
        # A slow receiver (150 ms per request, at most 2 in flight) keeps deliveries queued
        # and in flight when the process dies.
        sink = SinkServer({"responses": [], "default": {"status": 200, "body": "ok",
                                                        "delay_ms": 150}})
        self.addCleanup(sink.close)
        d = Daemon(tenants={"acme": webhook_tenant(sink.url + "/hook", max_in_flight=2)},
                   config_extra="durability: wal\n")
        self.addCleanup(d.__exit__)
        rng = random.Random(20261204)
        acked = []
        for run in range(5):  # five kill points, each start on the log the last one left
            restart(d)
            conn = d.connection()
            for i in range(rng.randrange(20, 150)):
                name = f"Crash{run}x{i}"
                status, _, _ = d.request("POST", "/api/v2/alerts",
                                         body=[{"labels": {"alertname": name}}],
                                         token="acme-token", conn=conn)
                if status == 200:
                    acked.append(name)
            d.proc.kill()  # SIGKILL: no drain, no flush
            d.proc.wait()
            conn.close()
        self.assertGreater(len(acked), 100)

        # A last start replays what was acknowledged but not delivered.
        restart(d)
        wait_for(lambda: set(acked) <= alert_names(sink), timeout=60, interval=0.5,
                 what="every acknowledged alert at the receiver")

if __name__ == "__main__":
    unittest.main()
