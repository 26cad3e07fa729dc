"""Every ingest endpoint of the real binary over loopback: happy paths, each error status,
what reaches the `log` destination, and the metrics that count it."""

import json
import socket
import sys
import unittest

from agtest import Daemon, wait_for

AM_ALERT = {
    "labels": {"alertname": "HighCPU", "severity": "CRIT", "instance": "db1:9100"},
    "annotations": {"summary": "CPU > 90%"},
    "startsAt": "2026-08-20T10:00:00Z",
    "generatorURL": "http://prom:9090/graph?g0.expr=up",
}


class Endpoints(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(tenants={"acme": ["acme-token"], "beta": ["beta-token", "beta-pd-key"]},
                       config_extra="limits:\n  max_body_bytes: 64KiB\n").start()

    @classmethod
    def tearDownClass(cls):
        assert cls.d.stop() == 0
        # Nothing that was accepted may be missing from the log destination.
        delivered = cls.d.delivered()
        assert len(delivered) == len({a["alert_id"] for a in delivered})

    def delivered_where(self, pred, count=1):
        return wait_for(lambda: [a for a in self.d.delivered() if pred(a)][:count]
                        if len([a for a in self.d.delivered() if pred(a)]) >= count else None,
                        what="alert in log output")

    def test_alertmanager_v2_accepts_and_enriches(self):
        before = self.d.metric("alertgate_alerts_received_total", tenant="acme",
                               format="alertmanager_v2")
        status, body, _ = self.d.post_json("/api/v2/alerts", [AM_ALERT])
        self.assertEqual(status, 200)
        self.assertEqual(body, {"accepted": 1, "rejected": 0, "errors": []})
        [a] = self.delivered_where(lambda a: a["labels"].get("instance") == "db1:9100")
        self.assertEqual(a["tenant_id"], "acme")
        self.assertEqual(a["severity"], "critical")  # "CRIT" normalised
        self.assertEqual(a["rating"], 90)
        self.assertEqual(a["status"], "firing")
        self.assertRegex(a["fingerprint"], r"^[0-9a-f]{16}$")
        self.assertRegex(a["alert_id"], r"^[0-9A-HJKMNP-TV-Z]{26}$")
        self.assertEqual(a["source_format"], "alertmanager_v2")
        self.assertEqual(a["startsAt"], "2026-08-20T10:00:00Z")
        self.assertEqual(a["generatorURL"], AM_ALERT["generatorURL"])
        self.assertEqual(a["annotations"], {"summary": "CPU > 90%"})
        self.assertRegex(a["traceparent"], r"^00-[0-9a-f]{32}-[0-9a-f]{16}-01$")
        after = self.d.metric("alertgate_alerts_received_total", tenant="acme",
                              format="alertmanager_v2")
        self.assertEqual(after - before, 1)

    def test_fingerprint_is_stable_and_label_order_free(self):
        # The resolve names the labels in another order: the same alert, so it resolves it.
        labels = {"alertname": "Disk", "zone": "z1", "host": "h9"}
        self.d.post_json("/api/v2/alerts", [{"labels": labels}])
        self.delivered_where(lambda a: a["labels"].get("alertname") == "Disk")
        self.d.post_json("/api/v2/alerts", [{"labels": dict(reversed(list(labels.items()))),
                                             "endsAt": "2020-01-01T00:00:00Z"}])
        a, b = self.delivered_where(lambda a: a["labels"].get("alertname") == "Disk", count=2)
        self.assertEqual((a["status"], b["status"]), ("firing", "resolved"))
        self.assertEqual(a["fingerprint"], b["fingerprint"])
        self.assertNotEqual(a["alert_id"], b["alert_id"])

    def test_traceparent_is_kept(self):
        tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        self.d.post_json("/api/v2/alerts", [{"labels": {"alertname": "Traced"}}],
                         headers={"traceparent": tp})
        [a] = self.delivered_where(lambda a: a["labels"].get("alertname") == "Traced")
        self.assertEqual(a["traceparent"], tp)

    def test_alertmanager_v2_keeps_valid_alerts_of_a_bad_batch(self):
        before = self.d.metric("alertgate_alerts_rejected_total", tenant="acme", reason="invalid")
        batch = [{"labels": {"alertname": "Good1"}}, {"labels": {}},
                 {"labels": {"alertname": "Good2"}, "startsAt": "yesterday"},
                 {"labels": {"alertname": "Good3"}}]
        status, body, _ = self.d.post_json("/api/v2/alerts", batch)
        self.assertEqual(status, 400)
        self.assertEqual(body["accepted"], 2)
        self.assertEqual(body["rejected"], 2)
        self.assertEqual([e["index"] for e in body["errors"]], [1, 2])
        self.assertIn("startsAt", body["errors"][1]["message"])
        raw = json.dumps(batch)
        self.assertEqual(raw[body["errors"][1]["offset"]:].split(",")[0], '"yesterday"}')
        self.delivered_where(lambda a: a["labels"].get("alertname") in ("Good1", "Good3"), 2)
        self.assertFalse([a for a in self.d.delivered() if a["labels"].get("alertname") == "Good2"])
        after = self.d.metric("alertgate_alerts_rejected_total", tenant="acme", reason="invalid")
        self.assertEqual(after - before, 2)

    def test_malformed_json_names_the_position(self):
        status, hdrs, body = self.d.request("POST", "/api/v2/alerts", body=b'[{"labels": {"a": }}]',
                                            token="acme-token",
                                            headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        doc = json.loads(body)
        self.assertEqual(doc["accepted"], 0)
        self.assertGreater(len(doc["errors"]), 0)
        self.assertIn("offset", doc["errors"][0])
        self.assertEqual(hdrs["content-type"], "application/json")

    def test_native_object_and_array(self):
        status, body, _ = self.d.post_json("/v1/alerts", {
            "labels": {"alertname": "Native1"}, "severity": "P1", "summary": "one"},
            token="beta-token")
        self.assertEqual(status, 202)
        self.assertEqual(body["accepted"], 1)
        status, body, _ = self.d.post_json("/v1/alerts", [
            {"labels": {"alertname": "Native2", "severity": "warn"}},
            {"labels": {"alertname": "Native3"}}], token="beta-token")
        self.assertEqual(status, 202)
        self.assertEqual(body["accepted"], 2)
        self.delivered_where(lambda a: a["labels"].get("alertname", "").startswith("Native"), 3)
        status, body, _ = self.d.post_json("/v1/alerts", [
            {"labels": {"alertname": "Native3"}, "endsAt": "2020-01-01T00:00:00Z"}],
            token="beta-token")
        self.assertEqual(status, 202)
        # In arrival order, so Native3's resolve comes last and wins.
        got = {a["labels"]["alertname"]: a for a in self.delivered_where(
            lambda a: a["labels"].get("alertname", "").startswith("Native"), 4)}
        self.assertEqual(got["Native1"]["severity"], "critical")
        self.assertEqual(got["Native1"]["tenant_id"], "beta")
        self.assertEqual(got["Native1"]["annotations"]["summary"], "one")
        self.assertEqual(got["Native2"]["severity"], "warning")
        self.assertEqual(got["Native3"]["status"], "resolved")
        self.assertEqual(got["Native3"]["source_format"], "native")

    def test_native_rejects_unknown_field(self):
        status, body, _ = self.d.post_json("/v1/alerts", {"lables": {"alertname": "x"}})
        self.assertEqual(status, 400)
        self.assertIn("lables", body["errors"][0]["message"])

    def test_pagerduty_enqueue(self):
        event = {"routing_key": "beta-pd-key", "event_action": "trigger", "dedup_key": "db1/cpu",
                 "payload": {"summary": "CPU > 90% on db1", "source": "db1.example.com",
                             "severity": "error", "component": "mysql"}}
        status, body, _ = self.d.post_json("/v2/enqueue", event, token=None)
        self.assertEqual(status, 202)
        self.assertEqual(body, {"status": "success", "message": "Event processed",
                                "dedup_key": "db1/cpu"})
        [a] = self.delivered_where(lambda a: a.get("dedup_key") == "db1/cpu")
        self.assertEqual(a["tenant_id"], "beta")
        self.assertEqual(a["severity"], "error")
        self.assertEqual(a["source_format"], "pagerduty")
        # A resolve with only the key hits the same fingerprint.
        status, body, _ = self.d.post_json("/v2/enqueue", {
            "routing_key": "beta-pd-key", "event_action": "resolve", "dedup_key": "db1/cpu"},
            token=None)
        self.assertEqual(status, 202)
        resolved = self.delivered_where(lambda a: a.get("dedup_key") == "db1/cpu", 2)
        self.assertEqual(resolved[1]["status"], "resolved")
        self.assertEqual(resolved[0]["fingerprint"], resolved[1]["fingerprint"])

    def test_pagerduty_without_dedup_key_gets_one(self):
        status, body, _ = self.d.post_json("/v2/enqueue", {
            "routing_key": "beta-pd-key", "event_action": "trigger",
            "payload": {"summary": "s", "source": "x", "severity": "info"}}, token=None)
        self.assertEqual(status, 202)
        self.assertTrue(body["dedup_key"])

    def test_pagerduty_invalid_event(self):
        status, body, _ = self.d.post_json("/v2/enqueue", {
            "routing_key": "beta-pd-key", "event_action": "trigger",
            "payload": {"summary": "s", "source": "x", "severity": "loud"}}, token=None)
        self.assertEqual(status, 400)
        self.assertEqual(body["status"], "invalid event")
        self.assertIn("severity", body["errors"][0]["message"])

    def test_pagerduty_unknown_routing_key(self):
        status, body, _ = self.d.post_json("/v2/enqueue", {
            "routing_key": "nope", "event_action": "trigger",
            "payload": {"summary": "s", "source": "x", "severity": "info"}}, token=None)
        self.assertEqual(status, 401)
        self.assertEqual(body["error"], "unauthorized")

    def test_401_without_or_with_unknown_token(self):
        before = self.d.metric("alertgate_http_requests_total", path="/api/v2/alerts", code="401")
        status, body, hdrs = self.d.post_json("/api/v2/alerts", [AM_ALERT], token=None)
        self.assertEqual(status, 401)
        self.assertEqual(body["error"], "unauthorized")
        self.assertIn("bearer", hdrs["www-authenticate"].lower())
        status, body, _ = self.d.post_json("/api/v2/alerts", [AM_ALERT], token="wrong")
        self.assertEqual(status, 401)
        after = self.d.metric("alertgate_http_requests_total", path="/api/v2/alerts", code="401")
        self.assertEqual(after - before, 2)

    def test_tenant_never_comes_from_the_body(self):
        self.d.post_json("/v1/alerts", {"labels": {"alertname": "Spoof", "tenant_id": "beta"}})
        [a] = self.delivered_where(lambda a: a["labels"].get("alertname") == "Spoof")
        self.assertEqual(a["tenant_id"], "acme")

    def test_404_and_405(self):
        status, _, body = self.d.request("GET", "/nope")
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body)["error"], "not_found")
        status, hdrs, body = self.d.request("GET", "/api/v2/alerts")
        self.assertEqual(status, 405)
        self.assertEqual(hdrs["allow"], "POST")
        self.assertEqual(json.loads(body)["error"], "method_not_allowed")

    def test_413_body_too_large(self):
        big = [{"labels": {"alertname": "Big", "blob": "x" * 70_000}}]
        status, body, _ = self.d.post_json("/api/v2/alerts", big)
        self.assertEqual(status, 413)
        self.assertEqual(body["error"], "body_too_large")

    def test_415_wrong_content_type(self):
        status, _, body = self.d.request("POST", "/api/v2/alerts", body=b"[]", token="acme-token",
                                         headers={"Content-Type": "text/plain"})
        self.assertEqual(status, 415)
        self.assertEqual(json.loads(body)["error"], "unsupported_media_type")

    def test_health_ready_metrics(self):
        self.assertEqual(self.d.request("GET", "/-/healthy")[0], 200)
        self.assertEqual(self.d.request("GET", "/-/ready")[0], 200)
        m = self.d.metrics()
        names = {n for n, _ in m}
        for want in ["alertgate_alerts_received_total", "alertgate_alerts_rejected_total",
                     "alertgate_http_requests_total", "alertgate_http_request_duration_seconds_bucket",
                     "alertgate_tenant_queue_depth", "alertgate_build_info"]:
            self.assertIn(want, names)

    def test_keep_alive_and_pipelining(self):
        def req(i):
            body = json.dumps([{"labels": {"alertname": "Pipelined", "n": str(i)}}]).encode()
            return (b"POST /api/v2/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    b"acme-token\r\nContent-Type: application/json\r\nContent-Length: " +
                    str(len(body)).encode() + b"\r\n\r\n" + body)
        with socket.create_connection(("127.0.0.1", self.d.port), timeout=10) as s:
            s.sendall(b"".join(req(i) for i in range(5)))  # five requests in one write
            data = b""
            while data.count(b"HTTP/1.1 200") < 5:
                chunk = s.recv(65536)
                self.assertTrue(chunk, "connection closed early")
                data += chunk
        self.delivered_where(lambda a: a["labels"].get("alertname") == "Pipelined", 5)

    def test_garbage_request_line(self):
        with socket.create_connection(("127.0.0.1", self.d.port), timeout=10) as s:
            s.sendall(b"\x00\x01 nonsense\r\n\r\n")
            data = s.recv(65536)
        self.assertTrue(data.startswith(b"HTTP/1.1 400"), data)


if __name__ == "__main__":
    unittest.main(verbosity=2)
