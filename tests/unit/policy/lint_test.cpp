#include <catch2/catch.hpp>

#include "policy_test_util.hpp"

namespace alertgate {
namespace {

using policy_test::errors_of;
using policy_test::tenant;

// Lint findings of `text` (which must load) as "line:col: message" lines.
std::string lint(const std::string& text) {
  auto r = load_tenant_policy(text, "t.yaml");
  INFO(errors_of(text));
  REQUIRE(r.ok());
  std::string out;
  for (const ConfigError& e : lint_tenant_policy(*r)) {
    CHECK(e.file == "t.yaml");
    out += std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message + "\n";
  }
  return out;
}

const std::string kLog = "    destinations: [{type: log}]\n";

}  // namespace

TEST_CASE("policy: lint finds rules after a catch-all rule") {
  CHECK(lint(tenant("rules:\n  - severity: critical\n" + kLog + "  - match: {a: b}\n" + kLog +
                    "  - destinations: [{type: log}]\n  - severity: info\n" + kLog + "default:\n" +
                    kLog)) ==
        "8:5: warning: rule can never match: the rule at 7:5 takes every alert (no severity, "
        "match or rating bounds, no continue)\n"
        "11:5: warning: \"default\" can never be used: the rule at 7:5 takes every alert (no "
        "severity, match or rating bounds, no continue)\n");
}

TEST_CASE("policy: lint finds rules whose severities earlier rules take") {
  CHECK(lint(tenant("rules:\n  - severity: [critical, error]\n" + kLog + "  - severity: warning\n" +
                    kLog + "  - severity: [error, warning]\n" + kLog +
                    "  - severity: [info, error]\n" + kLog + "  - severity: critical\n" + kLog +
                    "default:\n" + kLog)) ==
        "7:5: warning: rule can never match: the rules at 3:5, 5:5 take every alert of their "
        "severities (no match or rating bounds, no continue)\n"
        "11:5: warning: rule can never match: the rule at 3:5 takes every alert of its "
        "severities (no match or rating bounds, no continue)\n"
        "14:5: warning: \"default\" can never be used: the rules at 3:5, 5:5, 9:5 take every "
        "alert of their severities (no match or rating bounds, no continue)\n");
}

TEST_CASE("policy: lint stays quiet about reachable rules") {
  // continue, match, rating bounds: an earlier rule does not take every alert.
  CHECK(lint(tenant("rules:\n  - continue: true\n" + kLog + "  - match: 'a=\"b\"'\n" + kLog +
                    "  - min_rating: 1\n" + kLog + "  - max_rating: 99\n" + kLog +
                    "  - severity: critical\n    group_by: [not_a_label_anyone_sends]\n" + kLog +
                    "  - severity: [critical, warning]\n" + kLog + "default:\n" + kLog)) == "");
  CHECK(lint(tenant("rules: []\ndefault:\n" + kLog)) == "");
  CHECK(lint(tenant("")) == "");
}

}  // namespace alertgate
