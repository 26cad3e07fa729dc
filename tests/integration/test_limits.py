"""Connection cap, header limit and the queue limit answer with a status, never a crash."""

import json
import socket
import time
import unittest

from agtest import Daemon, wait_for


class Limits(unittest.TestCase):
    def test_header_too_large(self):
        with Daemon(config_extra="limits:\n  max_header_bytes: 2KiB\n") as d:
            status, _, body = d.request("GET", "/-/healthy", headers={"X-Big": "y" * 4000})
            self.assertEqual(status, 431)
            self.assertEqual(json.loads(body)["error"], "header_too_large")
            self.assertEqual(d.request("GET", "/-/healthy")[0], 200)

    def test_connection_cap(self):
        with Daemon(config_extra="limits:\n  max_connections: 3\n") as d:
            held = [socket.create_connection(("127.0.0.1", d.port), timeout=10)
                    for _ in range(3)]
            for s in held:  # an answer proves the server accepted it
                s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertTrue(s.recv(1024).startswith(b"HTTP/1.1 200"))
            extra = socket.create_connection(("127.0.0.1", d.port), timeout=5)
            # Refused connections are closed at once, without an answer.
            try:
                self.assertEqual(extra.recv(1024), b"")
            except ConnectionResetError:
                pass
            extra.close()
            for s in held:
                s.close()
            def healthy():
                # Until the server has seen the closes, a new connection is still refused.
                try:
                    return d.request("GET", "/-/healthy")[0] == 200
                except (ConnectionError, OSError):
                    return False
            wait_for(healthy, what="capacity back")
            self.assertGreaterEqual(d.metric("alertgate_http_connections_refused_total"), 1)

    def test_idle_connection_times_out(self):
        with Daemon(config_extra="limits:\n  read_timeout: 300ms\n") as d:
            s = socket.create_connection(("127.0.0.1", d.port), timeout=10)
            started = time.monotonic()
            self.assertEqual(s.recv(1024), b"")  # closed by the server
            self.assertLess(time.monotonic() - started, 5)
            s.close()

    def test_queue_full_answers_429(self):
        with Daemon(config_extra="limits:\n  max_queue_per_tenant: 5\n") as d:
            batch = [{"labels": {"alertname": f"q{i}"}} for i in range(10)]
            status, body, hdrs = d.post_json("/api/v2/alerts", batch)
            self.assertEqual(status, 429)
            self.assertEqual(body["error"], "queue_full")
            self.assertEqual(hdrs["retry-after"], "1")
            self.assertEqual(d.metric("alertgate_alerts_rejected_total", tenant="acme",
                                      reason="queue_full"), 10)
            # Nothing of the refused batch was queued, and smaller batches still go in.
            status, body, _ = d.post_json("/api/v2/alerts", batch[:3])
            self.assertEqual(status, 200)
            wait_for(lambda: len(d.delivered()) == 3, what="3 alerts delivered")

    def test_too_many_alerts_in_one_request(self):
        with Daemon() as d:
            batch = [{"labels": {"alertname": f"a{i}"}} for i in range(10_001)]
            status, body, _ = d.post_json("/api/v2/alerts", batch)
            self.assertEqual(status, 400)
            self.assertEqual(body["accepted"], 10_000)
            self.assertIn("too many alerts", body["errors"][0]["message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
