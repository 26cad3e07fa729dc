"""durability: wal with the real binary: alerts are acknowledged after the write-ahead log
synced them and still delivered; the log's segments are on disk under data_dir/wal/<shard>/;
a restart replays the log and serves again; a data_dir where the log cannot live stops the
start with a message naming it. (Crash and disk-full tests come with issue 6's delivery
outcome tracking.)"""

import glob
import os
import subprocess
import unittest

from agtest import BIN, Daemon, wait_for

ALERT = [{"labels": {"alertname": "DiskFull", "severity": "critical", "instance": "db1"}}]


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

        # A clean stop, then a start on the same log: it replays (nothing was left
        # unrouted) and serves.
        self.assertEqual(d.stop(), 0)
        os.remove(d.port_file)
        d.start()
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


if __name__ == "__main__":
    unittest.main()
