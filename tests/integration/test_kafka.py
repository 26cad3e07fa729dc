"""The `kafka` destination with the real binary against a Kafka-protocol broker (librdkafka's
mock cluster as its own process), checked with kcat as the independent client: each
tenant's alerts land in exactly its topic `alerts-<tenant_id>` with key = fingerprint, the
enriched alert JSON as value and the headers traceparent, tenant_id, severity, rating and
alert_id; a destination's own topic must be under its tenant's (else dead letter); a broker
outage delays delivery, loses nothing."""

import json
import os
import time
import unittest

from agtest import Daemon, SinkServer, sha256_token, wait_for
from kafkatest import KCAT, MockCluster, consume, kcat, topics

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


def log_tenant(tenant):
    return json.dumps({"tenant_id": tenant, "tokens": [sha256_token(tenant + "-token")],
                       "rules": [{"destinations": [{"type": "log"}]}]})


@unittest.skipUnless(KCAT, "kcat is not installed (Debian package kcat)")
class KafkaIngestMode(unittest.TestCase):
    """mode: ingest with durability: kafka: the answer waits for the broker, so every 200
    is already in Kafka; a broker outage answers 503 (and /-/ready says so) instead of
    acknowledging what Kafka does not have."""

    def setUp(self):
        self.cluster = MockCluster(brokers=1)
        self.addCleanup(self.cluster.__exit__)
        self.d = Daemon(tenants={t: log_tenant(t) for t in ("acme", "beta", "gamma")},
                        config_extra=(f'mode: ingest\ndurability: kafka\nkafka:\n'
                                      f'  brokers: "{self.cluster.bootstrap}"\n'
                                      f'  properties: {{message.timeout.ms: "3000"}}\n'))
        self.d.start()
        self.addCleanup(self.d.__exit__)

    def post(self, tenant, name):
        alert = {"labels": {"alertname": name, "severity": "warning"}}
        return self.d.request("POST", "/api/v2/alerts", body=[alert], token=tenant + "-token")

    def test_acknowledged_alerts_are_already_in_their_tenant_topics(self):
        for tenant in ("acme", "beta", "gamma"):
            for n in range(2):
                self.assertEqual(self.post(tenant, f"{tenant}-{n}")[0], 200)
        # Acknowledged means in Kafka: read at once, no waiting for a flush.
        for tenant in ("acme", "beta", "gamma"):
            messages = consume(self.cluster.bootstrap, f"alerts-{tenant}", 2, timeout=0)
            self.assertEqual(len(messages), 2)
            for key, headers, value in messages:
                alert = json.loads(value)
                self.assertEqual(alert["tenant_id"], tenant)
                self.assertTrue(alert["labels"]["alertname"].startswith(tenant + "-"))
                self.assertEqual(key, alert["fingerprint"])
                self.assertEqual(headers["tenant_id"], tenant)
                self.assertEqual(headers["alert_id"], alert["alert_id"])
        alert_topics = {t for t in topics(self.cluster.bootstrap) if t.startswith("alerts-")}
        self.assertEqual(alert_topics, {"alerts-acme", "alerts-beta", "alerts-gamma"})
        self.assertEqual(self.d.delivered(), [], "ingest mode routes nothing itself")
        self.assertEqual(self.d.metric("alertgate_kafka_up"), 1)

    def test_a_broker_outage_answers_503_and_nothing_acknowledged_is_lost(self):
        acked = []
        for n in range(5):
            if self.post("acme", f"before-{n}")[0] == 200:
                acked.append(f"before-{n}")
        self.assertEqual(self.cluster.command("down 1"), "ok")
        status, hdrs, body = self.post("acme", "during")
        self.assertEqual(status, 503, body)
        self.assertEqual(json.loads(body)["error"], "kafka_unavailable")
        self.assertEqual(hdrs.get("retry-after"), "1")
        wait_for(lambda: self.d.request("GET", "/-/ready")[0] == 503, timeout=15,
                 what="/-/ready false while no broker answers")
        self.assertEqual(self.cluster.command("up 1"), "ok")
        wait_for(lambda: self.d.request("GET", "/-/ready")[0] == 200, timeout=30,
                 what="ready again")
        for n in range(5):
            if self.post("acme", f"after-{n}")[0] == 200:
                acked.append(f"after-{n}")
        self.assertEqual(len(acked), 10)
        got = {json.loads(v)["labels"]["alertname"]
               for _, _, v in consume(self.cluster.bootstrap, "alerts-acme", 10)}
        self.assertTrue(set(acked) <= got, f"missing: {set(acked) - got}")
        self.assertGreater(self.d.metric("alertgate_alerts_rejected_total", tenant="acme",
                                         reason="kafka_unavailable"), 0)


@unittest.skipUnless(KCAT, "kcat is not installed (Debian package kcat)")
class KafkaIngestWithLog(unittest.TestCase):
    """mode: ingest with durability: wal: the answer comes once the alert is in the
    write-ahead log, and the log keeps it until the broker's delivery report: a broker
    outage is absorbed (200s go on), and neither a SIGTERM nor a kill -9 during the outage
    loses an acknowledged alert -- the next start produces what Kafka never got."""

    def setUp(self):
        self.cluster = MockCluster(brokers=1)
        self.addCleanup(self.cluster.__exit__)
        self.d = Daemon(tenants={t: log_tenant(t) for t in ("acme", "beta")},
                        config_extra=(f'mode: ingest\ndurability: wal\nshutdown_timeout: 2s\n'
                                      f'kafka:\n  brokers: "{self.cluster.bootstrap}"\n'
                                      f'  properties: {{message.timeout.ms: "2000"}}\n'))
        self.d.start()
        self.addCleanup(self.d.__exit__)

    def post(self, tenant, names):
        alerts = [{"labels": {"alertname": n, "severity": "warning"}} for n in names]
        status, _, body = self.d.request("POST", "/api/v2/alerts", body=alerts,
                                         token=tenant + "-token")
        self.assertEqual(status, 200, body)

    def names_in(self, topic, count, timeout=60):
        return {json.loads(v)["labels"]["alertname"]
                for _, _, v in consume(self.cluster.bootstrap, topic, count, timeout=timeout)}

    def restart(self):
        os.remove(self.d.port_file)
        self.d.start()

    def test_alerts_reach_their_topics_and_leave_the_log(self):
        self.post("acme", ["a-0", "a-1"])
        self.post("beta", ["b-0"])
        self.assertEqual(self.names_in("alerts-acme", 2), {"a-0", "a-1"})
        self.assertEqual(self.names_in("alerts-beta", 1), {"b-0"})
        wait_for(lambda: self.d.metric("alertgate_kafka_forward_pending") == 0,
                 what="nothing waiting for Kafka")
        self.assertEqual(self.d.metric("alertgate_wal_appended_total"), 3)
        self.assertEqual(self.d.delivered(), [], "ingest mode routes nothing itself")
        # Released once in Kafka: a crash now leaves nothing to produce again (after the WAL
        # thread's next commit, which writes the done records, ~1 ms).
        time.sleep(0.3)
        self.d.proc.kill()
        self.d.proc.wait()
        self.restart()
        opened = [line for line in self.d.log_lines() if line.get("msg") == "write-ahead log open"]
        self.assertEqual(opened[0]["to_replay"], 0, opened)

    def test_an_outage_is_absorbed_by_the_log_and_delivered_after(self):
        self.post("acme", ["before"])
        self.assertEqual(self.names_in("alerts-acme", 1), {"before"})
        self.assertEqual(self.cluster.command("down 1"), "ok")
        during = [f"during-{i}" for i in range(30)]
        for i in range(0, 30, 3):
            self.post("acme", during[i:i + 3])  # acknowledged: in the log
        wait_for(lambda: self.d.request("GET", "/-/ready")[0] == 503, timeout=15,
                 what="/-/ready false while no broker answers")
        # message.timeout.ms 2 s: the reports fail, the alerts wait in the log and are
        # produced again.
        wait_for(lambda: self.d.metric("alertgate_kafka_forward_retries_total") > 0,
                 timeout=20, what="a failed report retried")
        self.assertGreater(self.d.metric("alertgate_kafka_forward_pending"), 0)
        self.assertEqual(self.cluster.command("up 1"), "ok")
        got = self.names_in("alerts-acme", 31)
        self.assertTrue(set(during) <= got, f"missing: {set(during) - got}")
        wait_for(lambda: self.d.metric("alertgate_kafka_forward_pending") == 0, timeout=30,
                 what="every logged alert in Kafka")

    def test_kill_9_during_an_outage_loses_no_acknowledged_alert(self):
        self.assertEqual(self.cluster.command("down 1"), "ok")
        acked = [f"crash-{i}" for i in range(20)]
        for i in range(0, 20, 4):
            self.post("beta", acked[i:i + 4])
        self.d.proc.kill()  # no drain: only the log has them
        self.d.proc.wait()
        self.assertEqual(self.cluster.command("up 1"), "ok")
        self.restart()
        self.assertEqual(self.names_in("alerts-beta", 20), set(acked))

    def test_a_full_backlog_answers_503_and_takes_again_after_the_outage(self):
        d = Daemon(tenants={"acme": log_tenant("acme")},
                   config_extra=(f'mode: ingest\ndurability: wal\nkafka:\n'
                                 f'  brokers: "{self.cluster.bootstrap}"\n'
                                 f'  properties: {{queue.buffering.max.messages: "10"}}\n'))
        d.start()
        self.addCleanup(d.__exit__)
        self.assertEqual(self.cluster.command("down 1"), "ok")
        alerts = [{"labels": {"alertname": f"full-{i}"}} for i in range(10)]
        status, _, _ = d.request("POST", "/api/v2/alerts", body=alerts, token="acme-token")
        self.assertEqual(status, 200)
        status, hdrs, body = d.request("POST", "/api/v2/alerts",
                                       body=[{"labels": {"alertname": "one-too-many"}}],
                                       token="acme-token")
        self.assertEqual(status, 503, body)
        self.assertEqual(json.loads(body)["error"], "kafka_unavailable")
        self.assertIn("waiting for the broker", json.loads(body)["message"])
        self.assertEqual(hdrs.get("retry-after"), "1")
        self.assertEqual(self.cluster.command("up 1"), "ok")
        self.assertEqual(self.names_in("alerts-acme", 10), {f"full-{i}" for i in range(10)})
        wait_for(lambda: d.request("POST", "/api/v2/alerts",
                                   body=[{"labels": {"alertname": "after"}}],
                                   token="acme-token")[0] == 200, timeout=30,
                 what="taken again once Kafka has the backlog")

    def test_sigterm_during_an_outage_keeps_what_kafka_has_not_got(self):
        self.assertEqual(self.cluster.command("down 1"), "ok")
        acked = [f"stop-{i}" for i in range(10)]
        self.post("acme", acked)
        self.assertEqual(self.d.stop(), 0)  # shutdown_timeout cuts the wait: still exit 0
        self.assertIn("waiting_for_kafka", self.d.stderr())
        self.assertEqual(self.cluster.command("up 1"), "ok")
        self.restart()
        self.assertEqual(self.names_in("alerts-acme", 10), set(acked))


@unittest.skipUnless(KCAT, "kcat is not installed (Debian package kcat)")
class KafkaRouterMode(unittest.TestCase):
    """Ingest writes, two routers in one consumer group consume, route and deliver to a
    webhook; killing one router hands its partitions to the other without loss; a
    malformed message is dead-lettered with the reason and consumption goes on."""

    TENANTS = ("acme", "beta", "gamma")

    def setUp(self):
        self.cluster = MockCluster(brokers=1)
        self.addCleanup(self.cluster.__exit__)
        self.sink = SinkServer()
        self.addCleanup(self.sink.close)
        kafka = (f'kafka:\n  brokers: "{self.cluster.bootstrap}"\n'
                 f'  properties: {{session.timeout.ms: "6000"}}\n')
        self.ingest = Daemon(tenants={t: log_tenant(t) for t in self.TENANTS},
                             config_extra="mode: ingest\ndurability: kafka\n" + kafka)
        self.ingest.start()
        self.addCleanup(self.ingest.__exit__)
        # The tenants' topics exist before the routers subscribe.
        for t in self.TENANTS:
            self.post(t, f"{t}-first")
        webhook = {t: json.dumps({"tenant_id": t, "tokens": [sha256_token(t + "-token")],
                                  "rules": [{"destinations": [{"type": "webhook",
                                                               "url": self.sink.url + "/hook"}]}]})
                   for t in self.TENANTS}
        self.routers = []
        for _ in range(2):
            r = Daemon(tenants=webhook, admin_token=ADMIN,
                       config_extra="mode: router\ndurability: kafka\n" + kafka)
            r.start(wait_ready=False)
            self.addCleanup(r.__exit__)
            self.routers.append(r)
        for r in self.routers:  # ready = joined the group and assigned
            wait_for(lambda: r.request("GET", "/-/ready")[0] == 200, timeout=30,
                     what="router ready")

    def post(self, tenant, name):
        status, _, _ = self.ingest.request("POST", "/api/v2/alerts",
                                           body=[{"labels": {"alertname": name}}],
                                           token=tenant + "-token")
        self.assertEqual(status, 200)

    def delivered(self):
        return {a["labels"]["alertname"] for b in self.sink.bodies() if b
                for a in b.get("alerts", [])}

    def test_two_routers_deliver_everything_and_survive_losing_one(self):
        names = [f"{t}-{n}" for t in self.TENANTS for n in range(10)]
        for name in names:
            self.post(name.split("-")[0], name)
        wait_for(lambda: set(names) | {f"{t}-first" for t in self.TENANTS} <= self.delivered(),
                 timeout=60, interval=0.2, what="every alert delivered by the routers")

        self.routers[0].proc.kill()  # kill -9: its partitions go to the other member
        self.routers[0].proc.wait()
        later = [f"{t}-late{n}" for t in self.TENANTS for n in range(5)]
        for name in later:
            self.post(name.split("-")[0], name)
        wait_for(lambda: set(later) <= self.delivered(), timeout=90, interval=0.5,
                 what="the surviving router delivers what comes after")
        self.assertEqual(self.routers[1].metric("alertgate_kafka_consumer_assigned"), 1)

    def test_a_malformed_message_is_dead_lettered_and_consumption_goes_on(self):
        kcat("-b", self.cluster.bootstrap, "-P", "-t", "alerts-acme", input="not json at all\n")
        self.post("acme", "acme-after")
        wait_for(lambda: "acme-after" in self.delivered(), timeout=60, interval=0.2,
                 what="the alert after the malformed message")

        def letters():
            out = []
            for r in self.routers:
                status, _, body = r.request("GET", "/api/v1/deadletters", token=ADMIN)
                if status == 200:
                    out += json.loads(body)["dead_letters"]
            return out
        found = wait_for(lambda: letters(), what="the malformed message dead-lettered")
        self.assertEqual(found[0]["tenant_id"], "acme")
        self.assertIn("malformed message", found[0]["reason"])


if __name__ == "__main__":
    unittest.main()
