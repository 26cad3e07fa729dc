"""Zero-downtime restart with the real binary: a second alertgate starts on the same port
(SO_REUSEPORT) and the same data_dir while steady load runs against the first; the first
gets SIGTERM, stops accepting, tells each keep-alive client to reconnect (Connection: close
on its next answer), keeps delivering until shutdown_timeout and exits 0 with what it could
not deliver still in its write-ahead log; the second adopts that log once the first has
exited. No request fails and every acknowledged alert reaches the receiver."""

import http.client
import json
import os
import threading
import time
import unittest

from agtest import Daemon, SinkServer, sha256_token, wait_for


def webhook_tenant(url):
    # One request of at most 10 alerts at a time to a receiver answering in 100 ms (100
    # alerts/s, less than the load): deliveries queue up, so the first process still has
    # undelivered alerts when its shutdown_timeout ends.
    return json.dumps({"tenant_id": "acme", "tokens": [sha256_token("acme-token")],
                       "rules": [{"destinations": [{"type": "webhook", "url": url,
                                                    "max_in_flight": 1, "max_alerts": 10}]}]})


class SteadyLoad:
    """`clients` threads, each on one keep-alive connection, one alert per request every
    `interval` seconds. A request fails if it gets no answer or a non-200 answer; a
    connection the server closed after an answer (Connection: close) is reopened, as any
    HTTP/1.1 client does."""

    def __init__(self, port, clients=4, interval=0.01):
        self.port = port
        self.interval = interval
        self.acked = []
        self.failures = []
        self.reconnects = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(clients)]

    def run(self, client):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        n = 0
        deadline = time.monotonic() + 60  # bounded, whatever happens
        while not self.stopping.is_set() and time.monotonic() < deadline:
            name = f"Restart{client}x{n}"
            n += 1
            body = json.dumps([{"labels": {"alertname": name}}])
            try:
                conn.request("POST", "/api/v2/alerts", body=body,
                             headers={"Authorization": "Bearer acme-token",
                                      "Content-Type": "application/json"})
                res = conn.getresponse()
                res.read()
                with self.lock:
                    if res.status == 200:
                        self.acked.append(name)
                    else:
                        self.failures.append((name, res.status))
                    if res.will_close:
                        self.reconnects += 1
            except (OSError, http.client.HTTPException) as e:
                with self.lock:
                    self.failures.append((name, repr(e)))
                conn.close()
            time.sleep(self.interval)
        conn.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=30)


class ZeroDowntimeRestart(unittest.TestCase):
    def test_a_new_process_takes_over_the_port_and_the_log_without_losing_anything(self):
        sink = SinkServer({"responses": [], "default": {"status": 200, "body": "ok",
                                                        "delay_ms": 100}})
        self.addCleanup(sink.close)
        tenant = {"acme": webhook_tenant(sink.url + "/hook")}
        old = Daemon(tenants=tenant, config_extra="durability: wal\nshutdown_timeout: 1s\n")
        old.start()
        self.addCleanup(old.__exit__)
        new = Daemon(tenants=tenant, config_extra="durability: wal\n")
        # Same port and same data_dir as the old process.
        with open(new.config_path, "w") as f:
            f.write(f'listen: ["127.0.0.1:{old.port}"]\nthreads: 2\ntenants_dir: tenants\n'
                    f'data_dir: {os.path.join(old.dir, "data")}\ndurability: wal\n')
        self.addCleanup(new.__exit__)

        with SteadyLoad(old.port) as load:
            wait_for(lambda: len(load.acked) >= 300, what="load on the old process")
            new.start(wait_ready=False)
            wait_for(lambda: any(l.get("msg") == "ready" for l in new.log_lines()),
                     what="the new process ready")
            held = [l for l in new.log_lines() if l.get("msg") == "write-ahead log open"]
            self.assertEqual(held[0]["held_by_other_process"], 2, "the old log is left alone")
            acked_before = len(load.acked)
            self.assertEqual(old.stop(timeout=30), 0, old.stderr())
            # The load goes on against the new process alone.
            wait_for(lambda: len(load.acked) >= acked_before + 200, timeout=20,
                     what="load served by the new process")

        self.assertEqual(load.failures, [], "no request failed during the restart")
        self.assertGreater(load.reconnects, 0, "clients were told to reconnect")
        # The old process could not deliver everything within its shutdown_timeout; the
        # new one adopted the rest from its log.
        adopted = wait_for(lambda: [l for l in new.log_lines() if l.get("msg") ==
                                    "write-ahead log adopted from an exited process"],
                           what="the old log adopted")
        self.assertGreater(sum(l["alerts"] for l in adopted), 0)

        def delivered():
            return {a["labels"].get("alertname")
                    for body in sink.bodies() for a in body.get("alerts", [])}
        wait_for(lambda: set(load.acked) <= delivered(), timeout=90, interval=0.5,
                 what="every acknowledged alert at the receiver")
        self.assertEqual(new.stop(), 0)


if __name__ == "__main__":
    unittest.main()


class NotificationLogAcrossRestarts(unittest.TestCase):
    """A clean restart keeps what each group notified (data_dir/wal/<n>/notify.log): an
    alert Prometheus keeps re-sending is not notified again, and its resolve still is,
    although the new process never saw it firing."""

    def test_a_restart_neither_repeats_notifications_nor_loses_resolves(self):
        sink = SinkServer()
        self.addCleanup(sink.close)
        tenant = json.dumps({"tenant_id": "acme", "tokens": [sha256_token("acme-token")],
                             "rules": [{"group_by": ["alertname"], "group_wait": "0s",
                                        "destinations": [{"type": "webhook",
                                                          "url": sink.url + "/hook"}]}]})
        d = Daemon(tenants={"acme": tenant})
        d.start()
        self.addCleanup(d.__exit__)

        def post(name, resolved=False):
            alert = {"labels": {"alertname": name, "instance": "db1"}}
            if resolved:
                alert["endsAt"] = "2020-01-01T00:00:00Z"
            self.assertEqual(d.request("POST", "/api/v2/alerts", body=[alert],
                                       token="acme-token")[0], 200)

        def notified():
            return [(a["labels"]["alertname"], a["status"])
                    for b in sink.bodies() for a in b.get("alerts", [])]

        post("DiskFull")
        wait_for(lambda: notified() == [("DiskFull", "firing")], what="the first notification")

        self.assertEqual(d.stop(), 0)
        self.assertTrue(any(l.get("msg") == "notification log written" for l in d.log_lines()))
        os.remove(d.port_file)
        d.start()

        # Prometheus re-sends the firing alert; a new alert follows it on the same path, so
        # once the new one arrived, a repeat of the first would have arrived before it.
        post("DiskFull")
        post("Marker")
        wait_for(lambda: ("Marker", "firing") in notified(), what="the marker")
        self.assertEqual(notified().count(("DiskFull", "firing")), 1, "not notified again")

        # Its resolve is notified, though this process never saw it firing.
        post("DiskFull", resolved=True)
        wait_for(lambda: ("DiskFull", "resolved") in notified(), what="the resolve")
