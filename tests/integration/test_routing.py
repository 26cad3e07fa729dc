"""Policy, rating, routing, dedup, grouping and per-tenant limits through the real binary:
what a tenant file says is what arrives at its `log` destinations."""

import json
import os
import time
import unittest

from agtest import Daemon, sha256_token, wait_for


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def am(name, severity="warning", ends_at=None, **labels):
    a = {"labels": {"alertname": name, "severity": severity, **labels}}
    if ends_at:
        a["endsAt"] = ends_at
    return a


PAST = "2020-01-01T00:00:00Z"


class Routing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = {}
        d = Daemon(tenants={})
        for name in ("pages", "tickets", "grouped", "default", "lowrated"):
            cls.out[name] = os.path.join(d.dir, name + ".jsonl")
        token = sha256_token("acme-token")
        d.write_tenant("acme", f"""
tenant_id: "acme"
tokens: ["{token}"]
enrich:
  labels: {{team: "payments", env: "prod"}}
rating:
  boosts:
    - match: ['service="db"']
      add: 8
destinations:
  pages: {{type: log, path: "{cls.out['pages']}"}}
rules:
  - severity: critical
    min_rating: 95
    destinations: ["pages"]
  - match: ['alertname="Grouped"']
    group_by: ["alertname"]
    group_wait: 1s
    group_interval: 5m
    destinations: [{{type: log, path: "{cls.out['grouped']}"}}]
  - severity: [critical, error]
    continue: true
    destinations: [{{type: log, path: "{cls.out['tickets']}"}}]
  - severity: error
    max_rating: 75
    destinations: [{{type: log, path: "{cls.out['lowrated']}"}}]
default:
  destinations: [{{type: log, path: "{cls.out['default']}"}}]
""")
        d.write_tenant("limited", f"""
tenant_id: "limited"
tokens: ["{sha256_token('limited-token')}"]
limits: {{rate: 1, burst: 5, max_active_alerts: 3}}
rules:
  - destinations: [{{type: log}}]
""")
        cls.d = d.start()

    @classmethod
    def tearDownClass(cls):
        assert cls.d.stop() == 0

    def post(self, alerts, token="acme-token"):
        status, body, headers = self.d.post_json("/api/v2/alerts", alerts, token=token)
        return status, body, headers

    def test_rating_routes_and_is_visible(self):
        # critical (90) + boost 8 = 98 >= 95: pages; critical without the boost: 90 -> tickets.
        self.assertEqual(self.post([am("DiskFull", "critical", service="db"),
                                    am("DiskSlow", "critical", service="web")])[0], 200)
        page = wait_for(lambda: [a for a in lines(self.out["pages"])
                                 if a["labels"]["alertname"] == "DiskFull"], what="page")[0]
        self.assertEqual(page["rating"], 98)
        self.assertEqual(page["severity"], "critical")
        self.assertEqual(page["labels"]["team"], "payments")  # enrich.labels
        ticket = wait_for(lambda: [a for a in lines(self.out["tickets"])
                                   if a["labels"]["alertname"] == "DiskSlow"], what="ticket")[0]
        self.assertEqual(ticket["rating"], 90)
        self.assertFalse([a for a in lines(self.out["pages"])
                          if a["labels"]["alertname"] == "DiskSlow"])

    def test_continue_and_default(self):
        # error (70): tickets (continue) and lowrated (max 75); info: no rule -> default.
        self.assertEqual(self.post([am("QueueSlow", "error"), am("Note", "info")])[0], 200)
        for name in ("tickets", "lowrated"):
            wait_for(lambda: [a for a in lines(self.out[name])
                              if a["labels"]["alertname"] == "QueueSlow"], what=name)
        wait_for(lambda: [a for a in lines(self.out["default"])
                          if a["labels"]["alertname"] == "Note"], what="default")

    def test_dedup_resend_and_resolve_once(self):
        alert = am("Dedup", "error")
        for _ in range(3):  # Prometheus re-sends firing alerts every evaluation
            self.assertEqual(self.post([alert])[0], 200)
        resolved = am("Dedup", "error", ends_at=PAST)
        wait_for(lambda: [a for a in lines(self.out["tickets"])
                          if a["labels"]["alertname"] == "Dedup"], what="firing")
        self.assertEqual(self.post([resolved])[0], 200)
        self.assertEqual(self.post([resolved])[0], 200)  # a second resolve is not news

        def seen():
            return [a["status"] for a in lines(self.out["tickets"])
                    if a["labels"]["alertname"] == "Dedup"]
        wait_for(lambda: "resolved" in seen(), what="resolve")
        time.sleep(0.3)
        self.assertEqual(seen(), ["firing", "resolved"])

    def test_grouping_waits_then_sends_together(self):
        start = time.monotonic()
        batch = [am("Grouped", "warning", instance=f"i{i}") for i in range(5)]
        self.assertEqual(self.post(batch[:3])[0], 200)
        self.assertEqual(self.post(batch[3:])[0], 200)
        got = wait_for(lambda: lines(self.out["grouped"]) if len(lines(self.out["grouped"])) >= 5
                       else None, what="group flush")
        self.assertGreaterEqual(time.monotonic() - start, 0.9)  # group_wait 1s
        self.assertEqual(sorted(a["labels"]["instance"] for a in got),
                         [f"i{i}" for i in range(5)])

    def test_limits_rate_and_active_alerts(self):
        tok = "limited-token"
        # max_active_alerts 3: three firing alerts fit, a fourth does not.
        self.assertEqual(self.post([am(f"A{i}") for i in range(3)], token=tok)[0], 200)
        wait_for(lambda: self.d.metric("alertgate_tenant_active_alerts", tenant="limited") == 3,
                 what="active count")
        status, body, headers = self.post([am("A3")], token=tok)
        self.assertEqual(status, 429, body)
        self.assertEqual(body["error"], "active_limit")
        self.assertIn("retry-after", headers)
        # Resolves are still taken (and free room) ...
        self.assertEqual(self.post([am("A0", ends_at=PAST)], token=tok)[0], 200)
        # ... until the token bucket (rate 1/s, burst 5) cannot give 5 more: 4 are used.
        status, body, headers = self.post([am(f"A{i}", ends_at=PAST) for i in range(5)],
                                          token=tok)
        self.assertEqual(status, 429, body)
        self.assertEqual(body["error"], "rate_limited")
        self.assertGreaterEqual(int(headers["retry-after"]), 1)
        m = self.d.metrics()
        from agtest import metric_value
        self.assertEqual(metric_value(m, "alertgate_alerts_rejected_total", tenant="limited",
                                      reason="active_limit"), 1)
        self.assertEqual(metric_value(m, "alertgate_alerts_rejected_total", tenant="limited",
                                      reason="rate_limited"), 5)  # counted in alerts


if __name__ == "__main__":
    unittest.main(verbosity=2)
