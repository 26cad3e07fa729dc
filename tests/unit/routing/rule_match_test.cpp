#include <catch2/catch.hpp>

#include "alertgate/router.hpp"

using namespace alertgate;

TEST_CASE("rule_match: first rule with the alert's severity wins", "[routing]") {
  TenantPolicy p;
  p.rules.resize(3);
  p.rules[0].severities = {Severity::critical};
  p.rules[1].severities = {Severity::warning, Severity::error};
  // rules[2]: no severity = any
  Alert a;
  a.severity = Severity::critical;
  CHECK(match_rule(p, a) == &p.rules[0]);
  a.severity = Severity::error;
  CHECK(match_rule(p, a) == &p.rules[1]);
  a.severity = Severity::info;
  CHECK(match_rule(p, a) == &p.rules[2]);
  p.rules.pop_back();
  CHECK(match_rule(p, a) == nullptr);
}
