"""A real Prometheus (Debian `prometheus`) points its alerting at alertgate, as it would at
Alertmanager, authenticating with a bearer token: its always-firing alert arrives."""

import os
import shutil
import socket
import subprocess
import unittest

from agtest import Daemon, temp_dir, wait_for

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrometheusClient(unittest.TestCase):
    @unittest.skipUnless(os.path.exists(PROMETHEUS), "prometheus not installed")
    def test_prometheus_alert_arrives(self):
        with Daemon(tenants={"prom": ["prom-token"]}) as d:
            work = temp_dir(prefix="prom-")
            with open(os.path.join(work, "rules.yml"), "w") as f:
                f.write("groups:\n  - name: always\n    interval: 1s\n    rules:\n"
                        "      - alert: AlwaysFiring\n        expr: vector(1)\n"
                        "        labels: {severity: page, team: db}\n"
                        "        annotations: {summary: always firing}\n")
            with open(os.path.join(work, "prometheus.yml"), "w") as f:
                f.write("global:\n  evaluation_interval: 1s\n  scrape_interval: 15s\n"
                        "rule_files: [rules.yml]\n"
                        "alerting:\n  alertmanagers:\n    - api_version: v2\n"
                        "      authorization:\n        credentials: prom-token\n"
                        f"      static_configs:\n        - targets: ['127.0.0.1:{d.port}']\n")
            log = open(os.path.join(work, "prometheus.log"), "wb")
            prom = subprocess.Popen(
                [PROMETHEUS, "--config.file", os.path.join(work, "prometheus.yml"),
                 "--storage.tsdb.path", os.path.join(work, "data"),
                 "--web.listen-address", f"127.0.0.1:{free_port()}",
                 # The first notification goes out before discovery finds alertgate;
                 # resend soon instead of after the default minute.
                 "--rules.alert.resend-delay=1s"],
                stdout=log, stderr=subprocess.STDOUT, cwd=work)
            try:
                alerts = wait_for(
                    lambda: [a for a in d.delivered()
                             if a["labels"].get("alertname") == "AlwaysFiring"],
                    timeout=60, interval=0.2, what="Prometheus's alert")
                a = alerts[0]
                self.assertEqual(a["tenant_id"], "prom")
                self.assertEqual(a["severity"], "critical")  # "page"
                self.assertEqual(a["labels"]["team"], "db")
                self.assertEqual(a["annotations"]["summary"], "always firing")
                self.assertEqual(a["status"], "firing")
                self.assertEqual(a["source_format"], "alertmanager_v2")
                self.assertTrue(a["generatorURL"])
                self.assertGreaterEqual(d.metric("alertgate_alerts_received_total", tenant="prom",
                                                 format="alertmanager_v2"), 1)
                self.assertEqual(d.metric("alertgate_http_requests_total", path="/api/v2/alerts",
                                          code="401"), 0)
            finally:
                prom.terminate()
                prom.wait(timeout=30)
                log.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
