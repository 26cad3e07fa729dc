#include <catch2/catch.hpp>

#include "policy_test_util.hpp"

namespace alertgate {
namespace {

using policy_test::errors_of;
using policy_test::load;
using policy_test::tenant;

}  // namespace

TEST_CASE("policy: limits load to TenantLimits, unset ones stay unset") {
  auto r =
      load(tenant("limits: {rate: 2.5, burst: 1000, max_queue: 5000, max_active_alerts: 7}\n"));
  INFO(errors_of(tenant("limits: {rate: 2.5}\n")));
  REQUIRE(r.ok());
  REQUIRE(r->limits.rate.has_value());
  CHECK(*r->limits.rate == 2.5);
  CHECK(r->limits.burst == std::optional<std::uint32_t>(1000));
  CHECK(r->limits.max_queue == std::optional<std::size_t>(5000));
  CHECK(r->limits.max_active_alerts == std::optional<std::size_t>(7));

  auto partial = load(tenant("limits:\n  rate: 500\n"));
  REQUIRE(partial.ok());
  CHECK(*partial->limits.rate == 500.0);
  CHECK_FALSE(partial->limits.burst.has_value());
  CHECK_FALSE(partial->limits.max_queue.has_value());
  CHECK_FALSE(partial->limits.max_active_alerts.has_value());

  auto none = load(tenant(""));
  REQUIRE(none.ok());
  CHECK_FALSE(none->limits.rate.has_value());

  auto max =
      load(tenant("limits: {rate: 10000000, burst: 100000000, max_queue: 10000000, "
                  "max_active_alerts: 10000000}\n"));
  CHECK(max.ok());
}

TEST_CASE("policy: bad limits are reported at their values") {
  CHECK(errors_of(tenant("limits: {rate: 0}\n")) ==
        "2:16: \"rate\": 0 is out of range (0..10000000], alerts/s\n");
  CHECK(errors_of(tenant("limits: {rate: 10000000.5}\n")) ==
        "2:16: \"rate\": 10000000.5 is out of range (0..10000000], alerts/s\n");
  CHECK(errors_of(tenant("limits: {rate: -1}\n")) ==
        "2:16: \"rate\": expected a number (alerts per second), got \"-1\"\n");
  CHECK(errors_of(tenant("limits: {rate: \"5\"}\n")) ==
        "2:16: \"rate\": expected a number (alerts per second), got \"5\"\n");
  CHECK(errors_of(tenant("limits: {rate: fast}\n")) ==
        "2:16: \"rate\": expected a number (alerts per second), got \"fast\"\n");
  CHECK(errors_of(tenant("limits: {rate: [1]}\n")) ==
        "2:16: \"rate\": expected a number (alerts per second), got a list\n");
  CHECK(errors_of(tenant("limits: {burst: 0}\n")) ==
        "2:17: \"burst\": 0 is out of range 1..100000000\n");
  CHECK(errors_of(tenant("limits: {burst: 1.5}\n")) ==
        "2:17: \"burst\": expected an integer, got \"1.5\"\n");
  CHECK(errors_of(tenant("limits: {max_queue: 10000001}\n")) ==
        "2:21: \"max_queue\": 10000001 is out of range 1..10000000\n");
  CHECK(errors_of(tenant("limits: {max_active_alerts: 0}\n")) ==
        "2:29: \"max_active_alerts\": 0 is out of range 1..10000000\n");
  CHECK(errors_of(tenant("limits: {rates: 5}\n")) ==
        "2:10: unknown key \"rates\" (did you mean \"rate\"?)\n");
  CHECK(errors_of(tenant("limits: 5\n")) == "2:9: \"limits\": expected a map, got a number\n");
  CHECK(errors_of(tenant("limits:\n")) == "2:1: \"limits\": expected a map, got null\n");
}

TEST_CASE("policy: enrich labels load sorted") {
  auto r = load(tenant("enrich:\n  labels:\n    team: payments\n    env: prod\n    code: 42\n"));
  REQUIRE(r.ok());
  REQUIRE(r->enrich_labels.size() == 3);
  CHECK(r->enrich_labels[0] == Label{"code", "42"});
  CHECK(r->enrich_labels[1] == Label{"env", "prod"});
  CHECK(r->enrich_labels[2] == Label{"team", "payments"});
  auto empty = load(tenant("enrich: {labels: {}}\n"));
  REQUIRE(empty.ok());
  CHECK(empty->enrich_labels.empty());
  CHECK(load(tenant("enrich: {}\n")).ok());
}

TEST_CASE("policy: bad enrich labels are reported, all at once") {
  CHECK(errors_of(tenant("enrich:\n  labels:\n    1team: a\n    team-x: b\n    ok: \"\"\n"
                         "    map: {a: b}\n")) ==
        "4:5: invalid label name \"1team\" (want [a-zA-Z_][a-zA-Z0-9_]*)\n"
        "5:5: invalid label name \"team-x\" (want [a-zA-Z_][a-zA-Z0-9_]*)\n"
        "6:9: \"ok\": must not be empty\n"
        "7:10: \"map\": expected a label value, got a map\n");
  CHECK(errors_of(tenant("enrich: {lables: {a: b}}\n")) ==
        "2:10: unknown key \"lables\" (did you mean \"labels\"?)\n");
  CHECK(errors_of(tenant("enrich: {labels: [a]}\n")) ==
        "2:18: \"labels\": expected a map, got a list\n");
  CHECK(errors_of(tenant("enrich:\n  labels:\n    a: b\n    a: c\n")) ==
        "5:5: duplicate key \"a\" (first at 4:5)\n");
}

}  // namespace alertgate
