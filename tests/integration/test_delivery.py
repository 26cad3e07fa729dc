"""Delivery through the real binary to real local receivers: every destination format
checked field by field at a scripted HTTP server (tests/support/sink_server.py) and a real
SMTP server (aiosmtpd), and every outcome — retry on 5xx, 429 with Retry-After, a final 4xx
to the dead-letter store, connection resets, the circuit breaker and the rule's fallback —
asserted through what the receivers got and the metrics. Time is bounded by polling."""

import hashlib
import hmac
import json
import time
import unittest

from agtest import Daemon, SinkServer, SmtpServer, metric_value, sha256_token, wait_for

ADMIN = "admin-token-for-tests"
FAST_RETRY = "retry: {base: 50ms, cap: 200ms, max_attempts: 4}"
SECRET = "0123456789abcdef-signing-secret"


def tenant(tenant_id, token, body):
    return f'tenant_id: "{tenant_id}"\ntokens: ["{sha256_token(token)}"]\n{body}'


def am(name, severity="critical", **labels):
    return {"labels": {"alertname": name, "severity": severity, **labels},
            "annotations": {"summary": f"{name} summary", "description": "details"},
            "generatorURL": "http://prom:9090/graph?g0.expr=up"}


class Delivery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = SinkServer()
        cls.flaky = SinkServer()
        cls.backup = SinkServer()
        cls.smtp = SmtpServer()
        u, f, b = cls.sink.url, cls.flaky.url, cls.backup.url
        policy = f"""
destinations:
  hook:
    type: webhook
    url: "{u}/hook"
    secret: "{SECRET}"
    {FAST_RETRY}
  flaky:
    type: webhook
    url: "{f}/flaky"
    {FAST_RETRY}
    breaker: {{failures: 3, cool_down: 1s}}
  backup: {{type: webhook, url: "{b}/backup"}}
  impatient:
    type: webhook
    url: "{u}/impatient"
    timeout: 300ms
    {FAST_RETRY}
rules:
  - match: ['route="hook"']
    destinations: ["hook"]
  - match: ['route="impatient"']
    destinations: ["impatient"]
  - match: ['route="flaky"']
    destinations: ["flaky"]
    fallback: "backup"
  - match: ['route="slack"']
    destinations: [{{type: slack, webhook: "{u}/services/T0/B0/XXXX", {FAST_RETRY}}}]
  - match: ['route="pagerduty"']
    destinations: [{{type: pagerduty, routing_key: "R0123456789abcdef0123456789abcde",
                     url: "{u}/v2/enqueue", {FAST_RETRY}}}]
  - match: ['route="opsgenie"']
    destinations: [{{type: opsgenie, api_key: "genie-key", url: "{u}", {FAST_RETRY}}}]
  - match: ['route="telegram"']
    destinations: [{{type: telegram, bot_token: "123:ABC", chat_id: "-100123",
                     api_url: "{u}", {FAST_RETRY}}}]
  - match: ['route="email"']
    destinations: [{{type: email, address: "oncall@example.com", {FAST_RETRY}}}]
"""
        extra = (f'external_url: "http://gw.example:9095"\n'
                 f'smtp: {{url: "smtp://127.0.0.1:{cls.smtp.port}", from: "alertgate@example.com"}}\n')
        cls.d = Daemon(tenants={"acme": tenant("acme", "acme-token", policy)},
                       admin_token=ADMIN, config_extra=extra).start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        for s in (cls.sink, cls.flaky, cls.backup, cls.smtp):
            s.close()

    def post(self, *alerts):
        status, body, _ = self.d.post_json("/api/v2/alerts", list(alerts), token="acme-token")
        self.assertEqual(status, 200, body)

    def received(self, server, path, text, count=1):
        """The requests to `path` whose body mentions `text` (receivers are shared)."""
        def match():
            got = [r for r in server.requests()
                   if r["path"].startswith(path) and text in r["body"]]
            return got if len(got) >= count else None
        return wait_for(match, timeout=15, what=f"{count} request(s) to {path} with {text}")

    def test_webhook_is_alertmanager_v4_and_signed(self):
        self.post(am("HookAlert", route="hook", instance="db1:9100"))
        [req] = self.received(self.sink, "/hook", "HookAlert")
        body = json.loads(req["body"])
        headers = {k.lower(): v for k, v in req["headers"]}
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(body["version"], "4")
        self.assertEqual(body["status"], "firing")
        self.assertEqual(body["receiver"], "hook")
        self.assertEqual(body["externalURL"], "http://gw.example:9095")
        self.assertEqual(body["tenant_id"], "acme")
        self.assertEqual(body["truncatedAlerts"], 0)
        self.assertIn("groupKey", body)
        self.assertEqual(body["commonLabels"]["alertname"], "HookAlert")
        self.assertEqual(body["commonAnnotations"]["summary"], "HookAlert summary")
        [a] = body["alerts"]
        self.assertEqual(a["status"], "firing")
        self.assertEqual(a["labels"]["instance"], "db1:9100")
        self.assertEqual(a["annotations"]["description"], "details")
        self.assertEqual(a["generatorURL"], "http://prom:9090/graph?g0.expr=up")
        self.assertEqual(len(a["fingerprint"]), 16)
        self.assertEqual(a["rating"], 90)
        for key in ("startsAt", "endsAt"):
            self.assertRegex(a[key], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        # X-Alertgate-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
        t, v1 = (p.split("=", 1)[1] for p in headers["x-alertgate-signature"].split(","))
        want = hmac.new(SECRET.encode(), f"{t}.{req['body']}".encode(), hashlib.sha256)
        self.assertEqual(v1, want.hexdigest())
        self.assertLess(abs(int(t) - time.time()), 60)

    def test_slack_pagerduty_opsgenie_telegram_formats(self):
        self.post(am("FmtSlack", route="slack"), am("FmtPd", route="pagerduty", instance="db9"),
                  am("FmtGenie", route="opsgenie", instance="db8"),
                  am("FmtTg", route="telegram"))
        [slack] = self.received(self.sink, "/services/T0/B0/XXXX", "FmtSlack")
        body = json.loads(slack["body"])
        self.assertIn("FmtSlack", body["text"])
        self.assertTrue(body["blocks"])
        [pd] = self.received(self.sink, "/v2/enqueue", "FmtPd")
        body = json.loads(pd["body"])
        self.assertEqual(body["routing_key"], "R0123456789abcdef0123456789abcde")
        self.assertEqual(body["event_action"], "trigger")
        self.assertTrue(body["dedup_key"].startswith("acme-"))
        self.assertEqual(body["payload"]["severity"], "critical")
        self.assertEqual(body["payload"]["source"], "db9")
        self.assertLessEqual(len(body["payload"]["summary"]), 1024)
        [og] = self.received(self.sink, "/v2/alerts", "FmtGenie")
        headers = {k.lower(): v for k, v in og["headers"]}
        self.assertEqual(headers["authorization"], "GenieKey genie-key")
        body = json.loads(og["body"])
        self.assertLessEqual(len(body["message"]), 130)
        self.assertEqual(body["priority"], "P1")
        self.assertTrue(body["alias"].startswith("acme-"))
        [tg] = self.received(self.sink, "/bot123:ABC/sendMessage", "FmtTg")
        body = json.loads(tg["body"])
        self.assertEqual(body["parse_mode"], "HTML")
        self.assertIn("FmtTg", body["text"])
        self.assertEqual(body["chat_id"], -100123)

    def test_email_over_real_smtp(self):
        self.post(am("MailAlert", route="email"))
        wait_for(lambda: self.smtp.messages(), timeout=15, what="mail")
        [(envelope, raw, msg)] = [m for m in self.smtp.messages()
                                  if b"MailAlert" in m[1]][:1] or [None]
        self.assertEqual(envelope["mail_from"], "alertgate@example.com")
        self.assertEqual(envelope["rcpt_tos"], ["oncall@example.com"])
        self.assertIn("MailAlert", msg["Subject"])
        for header in ("From", "To", "Date", "Message-ID"):
            self.assertIsNotNone(msg[header], header)
        types = sorted(p.get_content_type() for p in msg.walk() if not p.is_multipart())
        self.assertEqual(types, ["text/html", "text/plain"])
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""))  # CRLF only

    def test_retries_then_delivers_and_dead_letters_a_final_4xx(self):
        self.sink.script({"responses": [{"status": 500}, {"status": 503}, {"reset": True}],
                          "default": {"status": 200, "body": "ok"}})
        self.post(am("RetryMe", route="hook"))
        self.received(self.sink, "/hook", "RetryMe", 4)  # 500, 503, reset, then 200
        m = self.d.metrics()
        self.assertGreaterEqual(metric_value(m, "alertgate_notifications_total", tenant="acme",
                                             destination_type="webhook", outcome="retry"), 3)
        self.assertGreaterEqual(metric_value(m, "alertgate_notifications_total", tenant="acme",
                                             destination_type="webhook", outcome="delivered"), 1)
        # A 400 is final: one attempt, then the dead-letter store.
        self.sink.script([{"status": 400, "body": "bad payload"}])
        self.post(am("Rejected", route="hook"))

        def dead():
            status, _, body = self.d.request("GET", "/api/v1/deadletters?tenant=acme",
                                             token=ADMIN)
            self.assertEqual(status, 200)
            return [d for d in json.loads(body)["dead_letters"]
                    if any(a["labels"]["alertname"] == "Rejected" for a in d["alerts"])]
        [letter] = wait_for(dead, timeout=15, what="dead letter")
        self.assertEqual(letter["attempts"], 1)
        self.assertIn("400", letter["reason"])
        self.assertNotIn(SECRET, json.dumps(letter))
        self.assertEqual(self.d.request("GET", "/api/v1/deadletters")[0], 401)
        self.assertGreaterEqual(self.d.metric("alertgate_dead_letters_total", tenant="acme",
                                              destination_type="webhook"), 1)

    def test_a_slow_answer_times_out_and_is_retried(self):
        self.sink.script([{"status": 200, "body": "ok", "delay_ms": 1500}])
        before = self.d.metric("alertgate_notifications_total", tenant="acme",
                               destination_type="webhook", outcome="retry")
        self.post(am("TooSlow", route="impatient"))
        self.received(self.sink, "/impatient", "TooSlow", 2)  # timed out, then answered
        wait_for(lambda: self.d.metric("alertgate_notifications_total", tenant="acme",
                                       destination_type="webhook", outcome="retry") > before,
                 timeout=15, what="the timeout counted as a retry")

    def test_429_waits_for_retry_after(self):
        self.sink.script([{"status": 429, "headers": {"Retry-After": "1"}}])
        self.post(am("Throttled", route="hook"))
        reqs = wait_for(lambda: [r for r in self.sink.requests() if "Throttled" in r["body"]][1:]
                        and [r for r in self.sink.requests() if "Throttled" in r["body"]],
                        timeout=15, what="retry after 429")
        self.assertGreaterEqual(reqs[1]["time"] - reqs[0]["time"], 0.95)

    def test_breaker_opens_and_fallback_takes_over(self):
        self.flaky.script({"responses": [], "default": {"status": 500}})
        for i in range(4):
            self.post(am(f"Flaky{i}", route="flaky"))
        wait_for(lambda: self.d.metric("alertgate_destination_circuit_open", tenant="acme") == 1,
                 timeout=15, what="circuit open")
        # While open, the rule's fallback gets the notifications.
        got = wait_for(lambda: [r for r in self.backup.requests() if "Flaky" in r["body"]],
                       timeout=15, what="fallback delivery")
        self.assertTrue(got)
        # Recovery: after the cool-down (1 s) the next notification is the probe; it
        # succeeds and the breaker closes.
        self.flaky.script({"responses": [], "default": {"status": 200, "body": "ok"}})
        time.sleep(1.2)
        self.post(am("FlakyAfter", route="flaky"))
        self.received(self.flaky, "/flaky", "FlakyAfter")
        wait_for(lambda: self.d.metric("alertgate_destination_circuit_open", tenant="acme") == 0,
                 timeout=15, what="circuit closed")


class SlowAndFast(unittest.TestCase):
    def test_slow_destination_does_not_delay_fast_one(self):
        slow = SinkServer({"responses": [], "default": {"status": 200, "body": "ok",
                                                        "delay_ms": 300}})
        fast = SinkServer()
        tenants = {}
        for t in range(100):
            tenants[f"t{t}"] = tenant(f"t{t}", f"tok-{t}", f"""
rules:
  - destinations:
      - {{type: webhook, url: "{slow.url}/slow", max_in_flight: 2, max_alerts: 1}}
      - {{type: webhook, url: "{fast.url}/fast"}}
""")
        with Daemon(tenants=tenants, config_extra="shutdown_timeout: 1s\n") as d:
            start = time.monotonic()
            for t in range(100):
                batch = [am(f"A{t}-{i}", severity="warning") for i in range(100)]
                status, _, _ = d.post_json("/v1/alerts", batch, token=f"tok-{t}")
                self.assertEqual(status, 202)

            def fast_alerts():
                return sum(len(json.loads(r["body"])["alerts"]) for r in fast.requests())
            wait_for(lambda: fast_alerts() >= 10_000, timeout=60, what="fast destination")
            fast_done = time.monotonic() - start
            slow_alerts = sum(len(json.loads(r["body"])["alerts"]) for r in slow.requests())
            # The slow receiver (300 ms per request of one alert, 2 in flight per tenant:
            # about 15 s of work) is far behind when the fast one has everything.
            self.assertLess(slow_alerts, 10_000)
            self.assertLess(fast_done, 30)
            d.stop()
        slow.close()
        fast.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
