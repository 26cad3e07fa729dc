"""Dead letters with the real binary: a delivery that finally fails is stored under
data_dir/deadletters/, survives a restart, is listed (filters, limit), replayed to the same
destination (by id, by destination, by tenant) once the receiver works again, and purged;
all under the admin token."""

import json
import os
import signal
import unittest
import urllib.parse

from agtest import Daemon, SinkServer, sha256_token, wait_for

ADMIN = "dl-admin-token"


def tenant(url):
    # A named destination, so letters can be picked by its name.
    return json.dumps({"tenant_id": "acme", "tokens": [sha256_token("acme-token")],
                       "destinations": {"ops-hook": {"type": "webhook", "url": url}},
                       "rules": [{"group_by": ["alertname"], "group_wait": "0s",
                                  "destinations": ["ops-hook"]}]})


class DeadLetters(unittest.TestCase):
    def setUp(self):
        # 400 is final: each notification is dead-lettered at its first attempt.
        self.sink = SinkServer({"responses": [], "default": {"status": 400, "body": "nope"}})
        self.addCleanup(self.sink.close)
        self.d = Daemon(tenants={"acme": tenant(self.sink.url + "/hook")}, admin_token=ADMIN)
        self.d.start()
        self.addCleanup(self.d.__exit__)

    def restart(self):
        self.assertEqual(self.d.stop(), 0)
        os.remove(self.d.port_file)
        self.d.start()

    def api(self, method, query="", token=ADMIN, path="/api/v1/deadletters"):
        status, _, body = self.d.request(method, path + ("?" + query if query else ""),
                                         token=token)
        return status, (json.loads(body) if body else None)

    def letters(self, query=""):
        status, doc = self.api("GET", query)
        self.assertEqual(status, 200, doc)
        return doc["dead_letters"]

    def names(self, letters):
        return sorted(a["labels"]["alertname"] for l in letters for a in l["alerts"])

    def post(self, name):
        status, _, _ = self.d.request("POST", "/api/v2/alerts",
                                      body=[{"labels": {"alertname": name}}], token="acme-token")
        self.assertEqual(status, 200)

    def received(self):
        return {a["labels"]["alertname"] for b in self.sink.bodies() for a in b.get("alerts", [])
                if b}

    def test_list_replay_purge_across_restarts(self):
        for name in ("First", "Second", "Third"):
            self.post(name)
        wait_for(lambda: len(self.letters()) == 3 and all(l["durable"] for l in self.letters()),
                 what="three durable dead letters")
        letters = self.letters()
        self.assertEqual(self.names(letters), ["First", "Second", "Third"])
        self.assertEqual([l["id"] for l in letters], sorted((l["id"] for l in letters), reverse=True),
                         "newest first")
        first = letters[-1]
        self.assertEqual(first["tenant_id"], "acme")
        self.assertEqual(first["destination_name"], "ops-hook")
        self.assertEqual(first["destination_type"], "webhook")
        self.assertEqual(first["reason"], "HTTP 400: nope")
        self.assertNotIn(self.sink.url + "/hook", json.dumps(letters), "the path is redacted")
        self.assertTrue(os.listdir(os.path.join(self.d.dir, "data", "deadletters")))
        self.assertEqual(self.d.metric("alertgate_dead_letters_stored"), 3)

        # The admin token guards every endpoint; bad parameters are named.
        self.assertEqual(self.api("GET", token=None)[0], 401)
        self.assertEqual(self.api("POST", token="wrong", path="/api/v1/deadletters/replay")[0], 401)
        self.assertEqual(self.api("DELETE", token=None)[0], 401)
        status, doc = self.api("GET", "limit=zero")
        self.assertEqual(status, 400)
        self.assertIn("limit", doc["message"])
        status, doc = self.api("DELETE")
        self.assertEqual(status, 400, "a purge must say what")
        # Filters and limit.
        self.assertEqual(len(self.letters("limit=1")), 1)
        self.assertEqual(self.letters("tenant=other"), [])
        self.assertEqual(self.names(self.letters(f"id={first['id']}")), ["First"])
        self.assertEqual(len(self.letters("destination=ops-hook")), 3)

        # Durable: a restart lists the same letters.
        self.restart()
        self.assertEqual([l["id"] for l in self.letters()], [l["id"] for l in letters])

        # The receiver works again: replay one letter by id.
        self.sink.script({"responses": [], "default": {"status": 200, "body": "ok"}})
        status, doc = self.api("POST", f"id={first['id']}", path="/api/v1/deadletters/replay")
        self.assertEqual(status, 202, doc)
        self.assertEqual(doc, {"replaying": [first["id"]], "skipped": []})
        wait_for(lambda: "First" in self.received(), what="First delivered by the replay")
        wait_for(lambda: self.names(self.letters()) == ["Second", "Third"],
                 what="the replayed letter leaves the store")

        # By destination name: the rest.
        status, doc = self.api("POST", "destination=ops-hook", path="/api/v1/deadletters/replay")
        self.assertEqual(status, 202, doc)
        self.assertEqual(len(doc["replaying"]), 2)
        wait_for(lambda: {"Second", "Third"} <= self.received(), what="the rest delivered")
        wait_for(lambda: self.letters() == [], what="an empty store")

        # A replay that fails again becomes a new letter (nothing lost either way).
        self.sink.script({"responses": [], "default": {"status": 400, "body": "still no"}})
        self.post("Fourth")
        wait_for(lambda: len(self.letters()) == 1, what="a new dead letter")
        old_id = self.letters()[0]["id"]
        status, doc = self.api("POST", "tenant=acme", path="/api/v1/deadletters/replay")
        self.assertEqual(status, 202, doc)
        # The new letter is listed at once; the old one leaves once the new one is stored.
        def replaced():
            ids = [l["id"] for l in self.letters()]
            return len(ids) == 1 and ids[0] > old_id
        wait_for(replaced, what="the failed replay stored again, the old letter gone")
        again = self.letters()
        self.assertEqual(len(again), 1)
        self.assertGreater(again[0]["id"], old_id)
        self.assertEqual(again[0]["reason"], "HTTP 400: still no")

        # Purge by tenant: gone, also after a restart.
        status, doc = self.api("DELETE", "tenant=acme")
        self.assertEqual((status, doc), (200, {"purged": 1}))
        self.assertEqual(self.letters(), [])
        self.restart()
        self.assertEqual(self.letters(), [])

    def test_a_letter_whose_destination_left_the_policy_is_skipped_and_kept(self):
        self.post("Orphan")
        wait_for(lambda: len(self.letters()) == 1, what="a dead letter")
        # The tenant now sends somewhere else: the letter's destination no longer exists.
        self.d.write_tenant("acme", tenant(self.sink.url + "/elsewhere"))
        self.assertEqual(self.d.reload()[0], 200)
        status, doc = self.api("POST", "", path="/api/v1/deadletters/replay")
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["replaying"], [])
        self.assertIn("no longer in the tenant's policy", doc["skipped"][0]["reason"])
        letters = self.letters()
        self.assertEqual(len(letters), 1)
        self.assertFalse(letters[0]["replaying"])


if __name__ == "__main__":
    unittest.main()
