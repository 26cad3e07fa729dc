"""SIGTERM under load: the daemon stops accepting, finishes in-flight requests, delivers
everything it acknowledged, and exits 0. SIGINT behaves the same."""

import http.client
import json
import signal
import threading
import time
import unittest

from agtest import Daemon, wait_for


class Shutdown(unittest.TestCase):
    def run_load_and_stop(self, sig):
        d = Daemon(tenants={"acme": ["acme-token"]}).start()
        acked = []          # alertnames answered 200
        errors = []         # anything but a clean 200 or a refused/closed connection
        stop = threading.Event()
        lock = threading.Lock()

        def client(n):
            seq = 0
            conn = None
            deadline = time.monotonic() + 20  # bounded
            while not stop.is_set() and time.monotonic() < deadline:
                name = f"c{n}-{seq}"
                body = json.dumps([{"labels": {"alertname": name}}])
                try:
                    conn = conn or http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
                    conn.request("POST", "/api/v2/alerts", body=body,
                                 headers={"Authorization": "Bearer acme-token",
                                          "Content-Type": "application/json"})
                    res = conn.getresponse()
                    res.read()
                    if res.status == 200:
                        with lock:
                            acked.append(name)
                    else:
                        errors.append(res.status)
                    if res.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = None
                except (ConnectionError, http.client.RemoteDisconnected, OSError):
                    # Expected once the listener is closed; the request was never acked.
                    if conn:
                        conn.close()
                    conn = None
                    if stop.is_set() or d.proc.poll() is not None:
                        break
                    time.sleep(0.001)
                seq += 1

        threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        wait_for(lambda: len(acked) >= 200, timeout=20, what="load to start")
        code = d.stop(sig)
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(code, 0, d.stderr())
        self.assertEqual(errors, [])
        delivered = {a["labels"]["alertname"] for a in d.delivered()}
        missing = [n for n in acked if n not in delivered]
        self.assertEqual(missing, [], f"{len(missing)} of {len(acked)} acked alerts lost")
        msgs = [l["msg"] for l in d.log_lines()]
        self.assertIn("shutting down", msgs)
        self.assertIn("stopped", msgs)

    def test_sigterm_loses_nothing(self):
        self.run_load_and_stop(signal.SIGTERM)

    def test_sigint_loses_nothing(self):
        self.run_load_and_stop(signal.SIGINT)

    def test_idle_keepalive_connection_does_not_block_shutdown(self):
        d = Daemon().start()
        conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
        conn.request("GET", "/-/healthy")
        conn.getresponse().read()
        started = time.monotonic()
        self.assertEqual(d.stop(), 0)
        self.assertLess(time.monotonic() - started, 5)
        conn.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
