#include <catch2/catch.hpp>

#include "policy_test_util.hpp"

namespace alertgate {
namespace {

using policy_test::errors_of;
using policy_test::load;
using policy_test::tenant;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// A tenant with one rule: `rule_body` lines are indented under "  - " (line 3 onwards).
std::string one_rule(const std::string& rule_body) {
  return tenant("rules:\n  - destinations: [{type: log}]\n" + rule_body);
}

std::vector<std::string> matcher_texts(const std::vector<Matcher>& ms) {
  std::vector<std::string> out;
  for (const Matcher& m : ms) out.push_back(to_string(m));
  return out;
}

}  // namespace

TEST_CASE("policy: a rule's match takes a list, one string or a map") {
  auto r =
      load(tenant("rules:\n"
                  "  - match: ['service=~\"db|cache\"', 'env != prod']\n"
                  "    destinations: [{type: log}]\n"
                  "  - match: '{a=\"b\", c!=\"d\"}'\n"
                  "    destinations: [{type: log}]\n"
                  "  - match: 'a=\"b\"'\n"
                  "    destinations: [{type: log}]\n"
                  "  - match: {team: core, code: 500}\n"
                  "    destinations: [{type: log}]\n"
                  "  - match: []\n"
                  "    destinations: [{type: log}]\n"));
  REQUIRE(r.ok());
  REQUIRE(r->rules.size() == 5);
  CHECK(matcher_texts(r->rules[0].match) ==
        std::vector<std::string>{"service=~\"db|cache\"", "env!=\"prod\""});
  CHECK(matcher_texts(r->rules[1].match) == std::vector<std::string>{"a=\"b\"", "c!=\"d\""});
  CHECK(matcher_texts(r->rules[2].match) == std::vector<std::string>{"a=\"b\""});
  CHECK(matcher_texts(r->rules[3].match) ==
        std::vector<std::string>{"team=\"core\"", "code=\"500\""});
  CHECK(r->rules[4].match.empty());
}

TEST_CASE("policy: bad matchers are reported at their string with the inner column") {
  CHECK(errors_of(one_rule("    match: ['a=\"b\"', 'b ~ c', 'c=~\"[z-a]\"']\n")) ==
        "4:22: matcher \"b ~ c\": column 3: expected one of =, !=, =~, !~\n"
        "4:31: matcher \"c=~\\\"[z-a]\\\"\": column 4: invalid regex: invalid character class "
        "range at 2\n");
  CHECK(errors_of(one_rule("    match: '{a=\"b\" c=\"d\"}'\n")) ==
        "4:12: matcher \"{a=\\\"b\\\" c=\\\"d\\\"}\": column 8: unexpected text after the quoted "
        "value\n");
  CHECK(errors_of(one_rule("    match: {1a: b, c: [d]}\n")) ==
        "4:13: invalid label name \"1a\" (want [a-zA-Z_][a-zA-Z0-9_]*)\n"
        "4:23: \"c\": expected a label value, got a list\n");
  CHECK(errors_of(one_rule("    match: [{a: b}]\n")) == "4:13: expected a string, got a map\n");
  CHECK(errors_of(one_rule("    match: 5\n")) ==
        "4:12: matcher \"5\": column 1: expected a label name\n");
}

TEST_CASE("policy: rating bounds and continue load, min > max is an error") {
  auto r = load(one_rule("    min_rating: 40\n    max_rating: 80\n    continue: true\n"));
  REQUIRE(r.ok());
  CHECK(r->rules[0].min_rating == 40);
  CHECK(r->rules[0].max_rating == 80);
  CHECK(r->rules[0].continue_matching);
  auto d = load(one_rule(""));
  REQUIRE(d.ok());
  CHECK(d->rules[0].min_rating == 0);
  CHECK(d->rules[0].max_rating == 100);
  CHECK_FALSE(d->rules[0].continue_matching);
  CHECK(load(one_rule("    min_rating: 50\n    max_rating: 50\n")).ok());
  CHECK(errors_of(one_rule("    min_rating: 80\n    max_rating: 50\n")) ==
        "5:17: \"max_rating\": 50 is less than \"min_rating\" 80\n");
  CHECK(errors_of(one_rule("    min_rating: 101\n    max_rating: -1\n    continue: yes\n")) ==
        "4:17: \"min_rating\": 101 is out of range 0..100\n"
        "5:17: \"max_rating\": -1 is out of range 0..100\n"
        "6:15: \"continue\": expected true or false, got \"yes\"\n");
}

TEST_CASE("policy: group_by and the grouping durations") {
  auto r = load(one_rule("    group_by: [alertname, cluster]\n"));
  REQUIRE(r.ok());
  const Grouping& g = r->rules[0].grouping;
  CHECK(g.enabled);
  CHECK_FALSE(g.by_all);
  CHECK(g.by == std::vector<std::string>{"alertname", "cluster"});
  CHECK(g.group_wait == seconds(30));
  CHECK(g.group_interval == minutes(5));
  CHECK(g.repeat_interval == hours(4));

  auto all =
      load(one_rule("    group_by: ['...']\n    group_wait: 0\n    group_interval: 1s\n"
                    "    repeat_interval: 720h\n"));
  REQUIRE(all.ok());
  CHECK(all->rules[0].grouping.by_all);
  CHECK(all->rules[0].grouping.by.empty());
  CHECK(all->rules[0].grouping.group_wait == milliseconds(0));
  CHECK(all->rules[0].grouping.group_interval == seconds(1));
  CHECK(all->rules[0].grouping.repeat_interval == hours(720));

  auto one_group = load(one_rule("    group_by: []\n"));
  REQUIRE(one_group.ok());
  CHECK(one_group->rules[0].grouping.enabled);
  CHECK(one_group->rules[0].grouping.by.empty());

  // Without group_by: every alert alone and at once; repeat_interval still applies.
  auto ungrouped = load(one_rule("    repeat_interval: 1m\n"));
  REQUIRE(ungrouped.ok());
  const Grouping& u = ungrouped->rules[0].grouping;
  CHECK_FALSE(u.enabled);
  CHECK(u.group_wait == milliseconds(0));
  CHECK(u.group_interval == milliseconds(0));
  CHECK(u.repeat_interval == minutes(1));
}

TEST_CASE("policy: bad group_by and grouping durations are reported") {
  CHECK(errors_of(one_rule("    group_by: [alertname, cluster, alertname]\n")) ==
        "4:36: duplicate label \"alertname\" (first at 4:16)\n");
  CHECK(errors_of(one_rule("    group_by: ['...', alertname]\n")) ==
        "4:16: \"group_by\": \"...\" (group by every label) cannot be combined with label "
        "names\n");
  CHECK(errors_of(one_rule("    group_by: [a-b]\n")) ==
        "4:16: invalid label name \"a-b\" (want [a-zA-Z_][a-zA-Z0-9_]*)\n");
  CHECK(errors_of(one_rule("    group_by: alertname\n")) ==
        "4:15: \"group_by\": expected a list of label names, got a string\n");
  CHECK(errors_of(one_rule("    group_wait: 10s\n    group_interval: 1m\n")) ==
        "4:5: group_wait needs group_by (without group_by each alert is notified on its own, "
        "at once)\n"
        "5:5: group_interval needs group_by (without group_by each alert is notified on its "
        "own, at once)\n");
  CHECK(errors_of(one_rule("    group_by: [a]\n    group_wait: 2h\n    group_interval: 500ms\n"
                           "    repeat_interval: 30s\n")) ==
        "5:17: \"group_wait\": 2h is out of range 0s..1h\n"
        "6:21: \"group_interval\": 500ms is out of range 1s..24h\n"
        "7:22: \"repeat_interval\": 30s is out of range 1m..720h\n");
  CHECK(errors_of(one_rule("    group_by: [a]\n    group_wait: 30\n")) ==
        "5:17: \"group_wait\": missing unit in duration \"30\" (use ms, s, m or h, e.g. 250ms, "
        "30s, 5m, 1h30m)\n");
}

TEST_CASE("policy: named destinations are resolved into full copies") {
  const std::string text = tenant(
      "destinations:\n"
      "  oncall: {type: slack, webhook: \"https://hooks.slack.com/services/A/B/C\"}\n"
      "  ops-mail:\n"
      "    type: email\n"
      "    address: ops@example.com\n"
      "rules:\n"
      "  - severity: critical\n"
      "    destinations: [oncall, ops-mail, {type: log}]\n"
      "default:\n"
      "  destinations: [ops-mail]\n");
  auto r = load(text);
  INFO(errors_of(text));
  REQUIRE(r.ok());
  REQUIRE(r->named_destinations.size() == 2);
  CHECK(r->named_destinations[0].name == "oncall");
  CHECK(r->named_destinations[0].line == 3);
  CHECK(r->named_destinations[1].name == "ops-mail");
  CHECK(r->named_destinations[1].address == "ops@example.com");
  const auto& ds = r->rules[0].destinations;
  REQUIRE(ds.size() == 3);
  CHECK(ds[0].name == "oncall");
  CHECK(ds[0].type == DestinationType::slack);
  CHECK(ds[0].webhook == "https://hooks.slack.com/services/A/B/C");
  CHECK(ds[1].name == "ops-mail");
  CHECK(ds[1].address == "ops@example.com");
  CHECK(ds[2].name.empty());
  CHECK(ds[2].type == DestinationType::log);
  REQUIRE(r->default_rule.has_value());
  REQUIRE(r->default_rule->destinations.size() == 1);
  CHECK(r->default_rule->destinations[0].name == "ops-mail");
}

TEST_CASE("policy: bad destination names and references are reported") {
  const std::string head = tenant(
      "destinations:\n"
      "  oncall: {type: log}\n"
      "  broken: {type: slak}\n"
      "rules:\n"
      "  - destinations: ");
  CHECK(errors_of(head + "[oncal]\n") ==
        "4:18: unknown destination type \"slak\" (did you mean \"slack\"?)\n"
        "6:20: unknown destination \"oncal\" (did you mean \"oncall\"?)\n");
  // A reference to a definition that has errors itself is not reported twice.
  CHECK(errors_of(head + "[broken]\n") ==
        "4:18: unknown destination type \"slak\" (did you mean \"slack\"?)\n");
  CHECK(errors_of(head + "[oncall, oncall]\n") ==
        "4:18: unknown destination type \"slak\" (did you mean \"slack\"?)\n"
        "6:28: duplicate destination \"oncall\"\n");
  CHECK(errors_of(tenant("rules:\n  - destinations: [pager]\n")) ==
        "3:20: unknown destination \"pager\" (no tenant-level \"destinations\")\n");
  CHECK(errors_of(tenant("destinations:\n  -x: {type: log}\n  ok: 5\n")) ==
        "3:3: invalid destination name \"-x\" (1-64 of A-Z, a-z, 0-9, '_', '.', '-'; first not "
        "'.' or '-')\n"
        "4:7: destination: expected a map, got a number\n");
  CHECK(errors_of(tenant("destinations: [a]\n")) ==
        "2:15: \"destinations\": expected a map, got a list\n");
}

TEST_CASE("policy: default takes only the keys that make sense for every alert") {
  auto r =
      load(tenant("default:\n  destinations: [{type: log}]\n  group_by: [alertname]\n"
                  "  repeat_interval: 1h\n  mute_when: [{weekdays: [sunday]}]\n"));
  REQUIRE(r.ok());
  REQUIRE(r->default_rule.has_value());
  CHECK(r->default_rule->grouping.enabled);
  CHECK(r->default_rule->grouping.repeat_interval == hours(1));
  CHECK(r->default_rule->mute_when.size() == 1);
  CHECK(r->default_rule->line == 3);
  CHECK(r->default_rule->column == 3);
  CHECK_FALSE(load(tenant("")).value().default_rule.has_value());

  CHECK(errors_of(tenant("default:\n  severity: critical\n  match: ['a=\"b\"']\n"
                         "  min_rating: 1\n  max_rating: 2\n  continue: true\n"
                         "  destinations: [{type: log}]\n  destination: []\n")) ==
        "3:3: key \"severity\" is not allowed in \"default\": the default rule takes every alert "
        "that no rule matched\n"
        "4:3: key \"match\" is not allowed in \"default\": the default rule takes every alert "
        "that no rule matched\n"
        "5:3: key \"min_rating\" is not allowed in \"default\": the default rule takes every "
        "alert that no rule matched\n"
        "6:3: key \"max_rating\" is not allowed in \"default\": the default rule takes every "
        "alert that no rule matched\n"
        "7:3: key \"continue\" is not allowed in \"default\": the default rule takes every "
        "alert that no rule matched\n"
        "9:3: unknown key \"destination\" (did you mean \"destinations\"?)\n");
  CHECK(errors_of(tenant("default: {}\n")) == "2:10: missing required key \"destinations\"\n");
  CHECK(errors_of(tenant("default:\n")) == "2:1: \"default\": expected a map, got null\n");
}

TEST_CASE("policy: many problems of many rules are reported in one pass") {
  const std::string text = tenant(
      "limits: {rate: 0}\n"
      "rules:\n"
      "  - severity: critcal\n"
      "    match: ['a=~\"(\"']\n"
      "    min_rating: 90\n"
      "    max_rating: 10\n"
      "    group_wait: 1s\n"
      "    mute_when: [{location: Mars/Olympus}]\n"
      "    destinations: [nowhere]\n"
      "  - destinations: []\n"
      "inhibit:\n"
      "  - target_match: ['a=\"b\"']\n");
  auto r = load(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().size() == 9);
  CHECK(errors_of(text).find("11:19: \"destinations\": needs at least one destination") !=
        std::string::npos);
}

}  // namespace alertgate
