// inhibit:, Rule::key, content_hash and the JSON form of the extended policy.
#include <catch2/catch.hpp>

#include "policy_test_util.hpp"

namespace alertgate {
namespace {

using policy_test::errors_of;
using policy_test::load;
using policy_test::tenant;

const std::string kRules =
    "rules:\n"
    "  - severity: critical\n"
    "    match: ['service=~\"db|cache\"']\n"
    "    group_by: [alertname]\n"
    "    destinations: [{type: log}]\n"
    "  - severity: warning\n"
    "    destinations: [{type: email, address: a@example.com}]\n";

std::vector<std::uint64_t> keys_of(const std::string& text) {
  auto r = load(text);
  REQUIRE(r.ok());
  std::vector<std::uint64_t> out;
  for (const Rule& rule : r->rules) out.push_back(rule.key);
  if (r->default_rule) out.push_back(r->default_rule->key);
  return out;
}

}  // namespace

TEST_CASE("policy: inhibit rules load") {
  auto r =
      load(tenant("inhibit:\n"
                  "  - source_match: ['severity=\"critical\"']\n"
                  "    target_match: {severity: warning}\n"
                  "    equal: [alertname, cluster]\n"
                  "  - source_match: 'alertname=\"NodeDown\"'\n"
                  "    target_match: 'alertname=~\"Disk.*\"'\n"));
  REQUIRE(r.ok());
  REQUIRE(r->inhibit.size() == 2);
  const InhibitRule& a = r->inhibit[0];
  CHECK(a.line == 3);
  CHECK(a.column == 5);
  REQUIRE(a.source_match.size() == 1);
  CHECK(to_string(a.source_match[0]) == "severity=\"critical\"");
  CHECK(to_string(a.target_match[0]) == "severity=\"warning\"");
  CHECK(a.equal == std::vector<std::string>{"alertname", "cluster"});
  CHECK(r->inhibit[1].equal.empty());
  CHECK(r->inhibit[1].target_match[0].matches_value("DiskFull"));
}

TEST_CASE("policy: bad inhibit rules are reported") {
  CHECK(errors_of(tenant("inhibit:\n  - equal: [a]\n")) ==
        "3:5: missing required key \"source_match\"\n"
        "3:5: missing required key \"target_match\"\n");
  CHECK(
      errors_of(tenant("inhibit:\n  - {source_match: [], target_match: '{}', equal: [a, a]}\n")) ==
      "3:20: \"source_match\": needs at least one matcher\n"
      "3:38: \"target_match\": needs at least one matcher\n"
      "3:55: duplicate label \"a\" (first at 3:52)\n");
  CHECK(errors_of(tenant("inhibit:\n  - {source_match: 'a=\"b\"', target_match: 'c=\"d\"', "
                         "equals: [a]}\n")) ==
        "3:52: unknown key \"equals\" (did you mean \"equal\"?)\n");
  CHECK(errors_of(tenant("inhibit: {a: b}\n")) ==
        "2:10: \"inhibit\": expected a list, got a map\n");
}

TEST_CASE("policy: a rule's key ignores its position and changes with its meaning") {
  const auto base = keys_of(tenant(kRules));
  REQUIRE(base.size() == 2);
  CHECK(base[0] != 0);
  CHECK(base[0] != base[1]);
  // Lines above moved, comments added, flow style instead of block: the same keys.
  const auto moved = keys_of("# a comment\n\n" + tenant("limits: {rate: 5}\n") +
                             "rules:\n"
                             "  - {severity: [critical], match: 'service=~\"db|cache\"',\n"
                             "     group_by: [alertname], destinations: [{type: log}]}\n"
                             "  # more\n"
                             "  - severity: warning\n"
                             "    destinations: [{type: email, address: a@example.com}]\n");
  CHECK(moved == base);
  // A named destination is the same as the same destination inline, apart from its name.
  std::string changed = kRules;
  changed.replace(changed.find("a@example.com"), 13, "b@example.com");
  const auto other_address = keys_of(tenant(changed));
  CHECK(other_address[0] == base[0]);
  CHECK(other_address[1] != base[1]);
  for (const char* extra :
       {"    continue: true\n", "    min_rating: 1\n", "    group_wait: 1s\n",
        "    repeat_interval: 5h\n", "    mute_when: [{weekdays: [sunday]}]\n"}) {
    std::string text = kRules;
    text.insert(text.find("    destinations: [{type: log}]"), extra);
    INFO(extra);
    const auto k = keys_of(tenant(text));
    CHECK(k[0] != base[0]);
    CHECK(k[1] == base[1]);
  }
}

TEST_CASE("policy: identical rules and the default get distinct keys") {
  const std::string same = "  - destinations: [{type: log}]\n";
  const auto k = keys_of(
      tenant("rules:\n" + same + same + same + "default:\n" + "  destinations: [{type: log}]\n"));
  REQUIRE(k.size() == 4);
  CHECK(k[0] != k[1]);
  CHECK(k[1] != k[2]);
  CHECK(k[0] != k[2]);
  CHECK(k[3] != k[0]);
  CHECK(k[3] != k[1]);
  // Stable across loads.
  CHECK(keys_of(tenant("rules:\n" + same + same + same + "default:\n" +
                       "  destinations: [{type: log}]\n")) == k);
}

TEST_CASE("policy: content_hash is the hash of the bytes") {
  auto a = load(tenant(kRules));
  auto b = load(tenant(kRules));
  auto c = load(tenant(kRules + "# comment\n"));
  REQUIRE(a.ok());
  REQUIRE(c.ok());
  CHECK(a->content_hash != 0);
  CHECK(a->content_hash == b->content_hash);
  CHECK(a->content_hash != c->content_hash);
}

TEST_CASE("policy: the extended policy in JSON form loads like the YAML form") {
  const std::string json = R"({
  "tenant_id": "acme",
  "limits": {"rate": 50.5, "burst": 100, "max_queue": 1000, "max_active_alerts": 500},
  "enrich": {"labels": {"team": "core"}},
  "rating": {"severity_scores": {"warning": 60},
             "boosts": [{"match": ["env=\"prod\""], "add": 10}],
             "recurrence": {"window": "2h"}, "flapping": {"threshold": 8}},
  "destinations": {"ops": {"type": "email", "address": "ops@example.com"}},
  "rules": [
    {"severity": "critical", "match": {"service": "db"}, "min_rating": 50, "continue": true,
     "group_by": ["alertname"], "group_wait": "10s",
     "mute_when": [{"weekdays": ["saturday:sunday"], "times": [{"start_time": "00:00",
                    "end_time": "06:00"}], "location": "America/New_York"}],
     "destinations": ["ops", {"type": "log"}]}
  ],
  "default": {"destinations": ["ops"]},
  "inhibit": [{"source_match": ["severity=\"critical\""], "target_match": ["severity=\"info\""],
               "equal": ["alertname"]}]
})";
  auto r = load_tenant_policy(json, "acme.json");
  INFO(errors_of(json));
  REQUIRE(r.ok());
  CHECK(*r->limits.rate == 50.5);
  CHECK(r->limits.max_active_alerts == std::optional<std::size_t>(500));
  CHECK(r->enrich_labels == LabelSet{{"team", "core"}});
  CHECK(r->rating.severity_score[2] == 60);
  CHECK(r->rating.boosts.size() == 1);
  CHECK(r->rating.recurrence.window == std::chrono::hours(2));
  CHECK(r->rating.flapping.threshold == 8);
  REQUIRE(r->rules.size() == 1);
  const Rule& rule = r->rules[0];
  CHECK(rule.continue_matching);
  CHECK(rule.min_rating == 50);
  CHECK(rule.grouping.group_wait == std::chrono::seconds(10));
  REQUIRE(rule.mute_when.size() == 1);
  CHECK(rule.mute_when[0].location == "America/New_York");
  REQUIRE(rule.destinations.size() == 2);
  CHECK(rule.destinations[0].name == "ops");
  CHECK(r->default_rule->destinations[0].address == "ops@example.com");
  CHECK(r->inhibit[0].equal == std::vector<std::string>{"alertname"});
  CHECK(errors_of(R"({"tenant_id": "a", "limits": {"rate": "5"}})") ==
        "1:39: \"rate\": expected a number (alerts per second), got \"5\"\n");
}

}  // namespace alertgate
