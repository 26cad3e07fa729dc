"""Hot reload of the real binary: POST /-/reload, SIGHUP and the tenants_dir watch; per-tenant
isolation (one broken file never blocks another tenant), the reload metrics, and no alert
lost or delivered twice while reloading under load."""

import os
import signal
import sys
import threading
import time
import unittest

from agtest import Daemon, sha256_token, tenant_yaml, wait_for

ADMIN = "admin-secret"


def alert(name, **labels):
    return {"labels": {"alertname": name, **labels}}


def accepted(d, token, name):
    status, _, _ = d.post_json("/v1/alerts", [alert(name)], token=token)
    return status


class Reload(unittest.TestCase):
    def test_isolation_broken_tenant_keeps_old_policy_others_apply(self):
        with Daemon(tenants={"a": ["a-1"], "b": ["b-1"]}, admin_token=ADMIN) as d:
            self.assertEqual(d.metric("alertgate_config_last_reload_successful"), 1)
            # a: a typo; b: token rotated. Both in one reload.
            d.write_tenant("a", 'tenant_id: "a"\nrules:\n  - severity: "critcal"\n'
                                '    destinations: [{type: log}]\n')
            d.write_tenant("b", ["b-2"])
            status, report = d.reload()
            self.assertEqual(status, 400, report)
            self.assertEqual(report["status"], "partial")
            self.assertEqual(report["refused"], ["a"])
            # (The directory watch may have applied b's change a moment earlier.)
            self.assertIn(report["changed"], (["b"], []))
            self.assertTrue(any(e.startswith(os.path.join(d.tenants_dir, "a.yaml") + ":3:")
                                and "critcal" in e for e in report["errors"]), report["errors"])
            # a keeps serving with its previous policy (its old token still works) ...
            self.assertEqual(accepted(d, "a-1", "a-after-typo"), 202)
            # ... while b's change applied.
            self.assertEqual(accepted(d, "b-1", "b-old"), 401)
            self.assertEqual(accepted(d, "b-2", "b-new"), 202)
            m = d.metrics()
            from agtest import metric_value
            self.assertEqual(metric_value(m, "alertgate_config_last_reload_successful"), 0)
            self.assertGreaterEqual(metric_value(m, "alertgate_tenant_config_reloads_total",
                                                 tenant="a", result="refused"), 1)
            self.assertEqual(metric_value(m, "alertgate_tenant_config_reloads_total",
                                          tenant="b", result="applied"), 1)
            # Fixed: the next reload applies everything.
            d.write_tenant("a", ["a-1"])
            status, report = d.reload()
            self.assertEqual(status, 200, report)
            self.assertEqual(report["status"], "success")
            self.assertEqual(d.metric("alertgate_config_last_reload_successful"), 1)
            self.assertGreater(
                d.metric("alertgate_config_last_reload_success_timestamp_seconds"), 1.7e9)

    def test_invalid_main_config_refuses_the_whole_reload(self):
        with Daemon(tenants={"a": ["a-1"]}, admin_token=ADMIN) as d:
            with open(d.config_path, "a") as f:  # broken first: a watch reload sees it too
                f.write("\nthreadz: 3\n")
            d.write_tenant("c", ["c-1"])
            status, report = d.reload()
            self.assertEqual(status, 400)
            self.assertEqual(report["status"], "failure")
            self.assertTrue(any("threadz" in e for e in report["errors"]), report)
            self.assertEqual(accepted(d, "c-1", "c"), 401)  # the valid new tenant waits too
            self.assertEqual(accepted(d, "a-1", "a"), 202)

    def test_settings_that_need_a_restart_are_reported(self):
        # --listen overrides the file; a reload must not take that for a change.
        with Daemon(tenants={"a": ["a-1"]}, admin_token=ADMIN,
                    args=("--listen", "127.0.0.1:0")) as d:
            status, report = d.reload()
            self.assertEqual((status, report["warnings"]), (200, []))
            with open(d.config_path) as f:
                text = f.read()
            with open(d.config_path, "w") as f:
                f.write(text.replace("threads: 2", "threads: 1"))
            status, report = d.reload()
            self.assertEqual(status, 200, report)
            self.assertEqual(report["warnings"], ["threads changed: takes effect after a restart"])

    def test_reload_endpoint_needs_the_admin_token(self):
        with Daemon(tenants={"a": ["a-1"]}, admin_token=ADMIN) as d:
            self.assertEqual(d.reload(token="")[0], 401)
            self.assertEqual(d.reload(token="wrong")[0], 401)
            self.assertEqual(d.reload(token="a-1")[0], 401)  # a tenant token is not admin
        with Daemon(tenants={"a": ["a-1"]}) as d:
            status, body = d.reload(token="anything")
            self.assertEqual(status, 403)
            self.assertIn("admin_token", body["message"])

    def test_sighup_and_file_watch_reload(self):
        with Daemon(tenants={"a": ["a-1"]}) as d:
            # The directory watch picks up a new tenant file by itself.
            d.write_tenant("w", ["w-1"])
            wait_for(lambda: accepted(d, "w-1", "watched") == 202, timeout=10,
                     what="file watch reload")
            # SIGHUP reloads as well (here: a removed tenant stops being accepted).
            os.remove(os.path.join(d.tenants_dir, "w.yaml"))
            d.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: accepted(d, "w-1", "gone") == 401, timeout=10,
                     what="SIGHUP reload")
            self.assertTrue(any(l.get("msg") == "reload: applied" and l.get("trigger") == "SIGHUP"
                                for l in d.log_lines()))

    def test_reloads_under_load_lose_and_duplicate_nothing(self):
        rules = [{"severity": ["critical", "error"], "destinations": [{"type": "log"}]},
                 {"destinations": [{"type": "log"}]}]
        with Daemon(tenants={"acme": tenant_yaml("acme", ["acme-token"], rules),
                             "other": ["other-1"]}, admin_token=ADMIN) as d:
            sent = []
            errors = []
            stop = threading.Event()

            def load():
                conn = d.connection()
                i = 0
                while not stop.is_set() and i < 20_000:
                    batch = [alert(f"load-{i + k}", severity="critical" if k % 2 else "info")
                             for k in range(10)]
                    status, _, _ = d.request("POST", "/v1/alerts", body=batch,
                                             token="acme-token", conn=conn)
                    if status == 202:
                        sent.extend(a["labels"]["alertname"] for a in batch)
                    else:
                        errors.append(status)
                    i += 10
                conn.close()

            t = threading.Thread(target=load)
            t.start()
            for n in range(50):
                # acme's bytes change (its rules do not); other's rules change every time.
                d.write_tenant("acme", tenant_yaml("acme", ["acme-token"], rules)
                               + f"\n# reload {n}\n")
                sev = "critical" if n % 2 else "warning"
                d.write_tenant("other", tenant_yaml(
                    "other", ["other-1"], [{"severity": sev, "destinations": [{"type": "log"}]}]))
                if n % 2:
                    status, report = d.reload()
                    self.assertEqual(status, 200, report)
                else:
                    d.proc.send_signal(signal.SIGHUP)
                time.sleep(0.02)
            stop.set()
            t.join()
            self.assertEqual(errors, [])
            self.assertGreater(len(sent), 500)

            def names():
                return [a["labels"]["alertname"] for a in d.delivered()
                        if a["tenant_id"] == "acme"]
            wait_for(lambda: len(names()) >= len(sent), timeout=30, what="every alert delivered")
            time.sleep(0.3)  # anything delivered twice would show up by now
            got = names()
            self.assertEqual(len(got), len(set(got)), "an alert was delivered twice")
            self.assertEqual(sorted(got), sorted(sent))
            self.assertGreaterEqual(d.metric("alertgate_config_reloads_total"), 25)
            self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
