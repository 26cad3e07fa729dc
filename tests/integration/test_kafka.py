"""The `kafka` destination with the real binary against a Kafka-protocol broker (librdkafka's
mock cluster as its own process), checked with kcat as the independent client: each
tenant's alerts land in exactly its topic `alerts-<tenant_id>` with key = fingerprint, the
enriched alert JSON as value and the headers traceparent, tenant_id, severity, rating and
alert_id; a destination's own topic must be under its tenant's (else dead letter); a broker
outage delays delivery, loses nothing."""

import json
import unittest

from agtest import Daemon, sha256_token, wait_for
from kafkatest import KCAT, MockCluster, consume

ADMIN = "kafka-admin-token"


def kafka_tenant(tenant, topic=None):
    dest = {"type": "kafka"}
    if topic:
        dest["topic"] = topic
    return json.dumps({"tenant_id": tenant, "tokens": [sha256_token(tenant + "-token")],
                       "rules": [{"destinations": [dest]}]})


@unittest.skipUnless(KCAT, "kcat is not installed (Debian package kcat)")
class KafkaDestination(unittest.TestCase):
    def setUp(self):
        self.cluster = MockCluster(brokers=1)
        self.addCleanup(self.cluster.__exit__)

    def daemon(self, tenants):
        d = Daemon(tenants=tenants, admin_token=ADMIN,
                   config_extra=f'kafka:\n  brokers: "{self.cluster.bootstrap}"\n')
        d.start()
        self.addCleanup(d.__exit__)
        return d

    def post(self, d, tenant, name):
        alert = {"labels": {"alertname": name, "instance": "db1", "severity": "critical"}}
        status, _, _ = d.request("POST", "/api/v2/alerts", body=[alert], token=tenant + "-token")
        self.assertEqual(status, 200)

    def test_each_tenant_lands_in_its_topic_with_key_value_and_headers(self):
        d = self.daemon({"acme": kafka_tenant("acme"), "beta": kafka_tenant("beta"),
                         "gamma": kafka_tenant("gamma", topic="alerts-gamma.audit"),
                         "mallory": kafka_tenant("mallory", topic="alerts-acme")})
        for tenant in ("acme", "beta", "gamma", "mallory"):
            for n in range(2):
                self.post(d, tenant, f"{tenant.capitalize()}Alert{n}")

        for tenant, topic in (("acme", "alerts-acme"), ("beta", "alerts-beta"),
                              ("gamma", "alerts-gamma.audit")):
            messages = consume(self.cluster.bootstrap, topic, 2)
            self.assertEqual(len(messages), 2, f"{topic}: {messages}")
            names = set()
            for key, headers, value in messages:
                alert = json.loads(value)
                names.add(alert["labels"]["alertname"])
                self.assertEqual(alert["tenant_id"], tenant)
                self.assertEqual(key, alert["fingerprint"])
                self.assertRegex(key, r"^[0-9a-f]{16}$")
                self.assertEqual(headers["tenant_id"], tenant)
                self.assertEqual(headers["alert_id"], alert["alert_id"])
                self.assertEqual(headers["severity"], "critical")
                self.assertEqual(headers["rating"], str(alert["rating"]))
                self.assertRegex(headers["traceparent"], r"^00-[0-9a-f]{32}-[0-9a-f]{16}-01$")
            self.assertEqual(names, {f"{tenant.capitalize()}Alert0",
                                     f"{tenant.capitalize()}Alert1"})

        # mallory's destination names acme's topic: refused for good, dead-lettered, and
        # acme's topic holds acme's two alerts only.
        def letters():
            status, _, body = d.request("GET", "/api/v1/deadletters?tenant=mallory",
                                        token=ADMIN)
            return json.loads(body)["dead_letters"] if status == 200 else []
        wait_for(lambda: len(letters()) == 2, what="mallory's alerts dead-lettered")
        self.assertIn("is not one of tenant mallory's", letters()[0]["reason"])
        self.assertEqual(len(consume(self.cluster.bootstrap, "alerts-acme", 2, timeout=2)), 2)
        self.assertGreater(d.metric("alertgate_notifications_total", tenant="acme",
                                    destination_type="kafka", outcome="delivered"), 0)

    def test_a_broker_outage_delays_delivery_and_loses_nothing(self):
        d = self.daemon({"acme": kafka_tenant("acme")})
        self.post(d, "acme", "Before")
        self.assertEqual(len(consume(self.cluster.bootstrap, "alerts-acme", 1)), 1)
        self.assertEqual(self.cluster.command("down 1"), "ok")
        names = [f"During{i}" for i in range(20)]
        for name in names:
            self.post(d, "acme", name)  # acknowledged: in the write-ahead log
        self.assertEqual(self.cluster.command("up 1"), "ok")
        messages = consume(self.cluster.bootstrap, "alerts-acme", 21, timeout=60)
        got = {json.loads(v)["labels"]["alertname"] for _, _, v in messages}
        self.assertTrue(set(names) <= got, f"missing: {set(names) - got}")


if __name__ == "__main__":
    unittest.main()
