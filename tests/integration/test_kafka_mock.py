"""The mock Kafka cluster program (tests/support/kafka_mock_cluster.cpp) that the Kafka tests
run instead of a broker: it speaks real Kafka to a real client (kcat: produce with a key and a
header, consume them back, list topics), and answers its stdin control commands."""

import unittest

from kafkatest import KCAT, MockCluster, kcat


@unittest.skipUnless(KCAT, "kcat is not installed (Debian package kcat)")
class KafkaMock(unittest.TestCase):
    def test_bootstrap_is_loopback(self):
        with MockCluster(brokers=3) as cluster:
            addresses = cluster.bootstrap.split(",")
            self.assertEqual(len(addresses), 3)
            for a in addresses:
                self.assertRegex(a, r"^127\.0\.0\.1:\d+$")
            self.assertEqual(cluster.quit(), ("ok", 0))

    def test_produce_and_consume_key_value_header(self):
        with MockCluster() as cluster:
            value = '{"tenant_id":"t1","labels":{"alertname":"Disk"}}'
            kcat("-b", cluster.bootstrap, "-P", "-t", "alerts-t1", "-K", "\t",
                 "-H", "tenant_id=t1", input=f"fp-1\t{value}\n")
            out = kcat("-b", cluster.bootstrap, "-C", "-t", "alerts-t1", "-o", "beginning", "-e",
                       "-f", "%k\t%s\t%h\t%T\n")
            lines = [line for line in out.splitlines() if line]
            self.assertEqual(len(lines), 1, out)
            key, got_value, headers, timestamp = lines[0].split("\t")
            self.assertEqual(key, "fp-1")
            self.assertEqual(got_value, value)
            self.assertEqual(headers, "tenant_id=t1")
            self.assertGreater(int(timestamp), 0)  # the producer's CreateTime, ms
            self.assertEqual(cluster.quit(), ("ok", 0))

    def test_control_commands(self):
        with MockCluster(brokers=2) as cluster:
            self.assertEqual(cluster.command("down 1"), "ok")
            self.assertEqual(cluster.command("up 1"), "ok")
            self.assertEqual(cluster.command("create alerts-t2 3"), "ok")
            listing = kcat("-b", cluster.bootstrap, "-L", "-t", "alerts-t2")
            self.assertIn('topic "alerts-t2" with 3 partitions', listing)
            self.assertTrue(cluster.command("down 9").startswith("error "))  # no such broker
            self.assertTrue(cluster.command("down one").startswith("error usage"))
            self.assertTrue(cluster.command("create alerts-t3 0").startswith("error usage"))
            self.assertTrue(cluster.command("restart").startswith("error unknown command"))
            self.assertEqual(cluster.quit(), ("ok", 0))

    def test_end_of_stdin_exits_zero(self):
        with MockCluster() as cluster:
            cluster.proc.stdin.close()
            self.assertEqual(cluster.proc.wait(timeout=20), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
