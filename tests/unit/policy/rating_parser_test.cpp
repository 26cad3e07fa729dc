#include <catch2/catch.hpp>

#include "policy_test_util.hpp"

namespace alertgate {
namespace {

using policy_test::errors_of;
using policy_test::load;
using policy_test::tenant;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

}  // namespace

TEST_CASE("policy: without rating the RatingPolicy defaults apply") {
  auto r = load(tenant(""));
  REQUIRE(r.ok());
  const RatingPolicy defaults;
  CHECK(r->rating.severity_score == defaults.severity_score);
  CHECK(r->rating.boosts.empty());
  CHECK(r->rating.recurrence.window == defaults.recurrence.window);
  CHECK(r->rating.flapping.threshold == defaults.flapping.threshold);
}

TEST_CASE("policy: rating loads every key") {
  const std::string text = tenant(
      "rating:\n"
      "  severity_scores: {critical: 100, info: 0}\n"
      "  boosts:\n"
      "    - match: ['service=~\"db|cache\"', 'env=\"prod\"']\n"
      "      add: 15\n"
      "    - match: {team: core}\n"
      "      add: -20\n"
      "    - {match: [], add: 1}\n"
      "  recurrence: {window: 30m, per_repeat: 10, max: 40, resend_gap: 2m}\n"
      "  flapping: {window: 2h, threshold: 6, boost: -5}\n");
  auto r = load(text);
  INFO(errors_of(text));
  REQUIRE(r.ok());
  const RatingPolicy& p = r->rating;
  CHECK(p.severity_score == std::array<std::uint8_t, 4>{100, 70, 50, 0});
  REQUIRE(p.boosts.size() == 3);
  REQUIRE(p.boosts[0].match.size() == 2);
  CHECK(to_string(p.boosts[0].match[0]) == "service=~\"db|cache\"");
  CHECK(p.boosts[0].match[0].matches_value("cache"));
  CHECK_FALSE(p.boosts[0].match[0].matches_value("dbx"));
  CHECK(p.boosts[0].add == 15);
  REQUIRE(p.boosts[1].match.size() == 1);
  CHECK(to_string(p.boosts[1].match[0]) == "team=\"core\"");
  CHECK(p.boosts[1].add == -20);
  CHECK(p.boosts[2].match.empty());
  CHECK(p.recurrence.window == minutes(30));
  CHECK(p.recurrence.per_repeat == 10);
  CHECK(p.recurrence.max == 40);
  CHECK(p.recurrence.resend_gap == minutes(2));
  CHECK(p.flapping.window == hours(2));
  CHECK(p.flapping.threshold == 6);
  CHECK(p.flapping.boost == -5);
}

TEST_CASE("policy: a partial recurrence or flapping keeps the other defaults") {
  auto r = load(tenant("rating:\n  recurrence: {max: 50}\n  flapping: {boost: 0}\n"));
  REQUIRE(r.ok());
  CHECK(r->rating.recurrence.max == 50);
  CHECK(r->rating.recurrence.per_repeat == 5);
  CHECK(r->rating.recurrence.window == hours(1));
  CHECK(r->rating.recurrence.resend_gap == minutes(5));
  CHECK(r->rating.flapping.boost == 0);
  CHECK(r->rating.flapping.threshold == 4);
}

TEST_CASE("policy: bad rating values are reported at their values") {
  CHECK(errors_of(tenant("rating:\n  severity_scores: {critical: 101, fatal: 1}\n")) ==
        "3:36: unknown key \"fatal\"\n"
        "3:31: \"critical\": 101 is out of range 0..100\n");
  CHECK(errors_of(tenant("rating:\n  severity_scores: {warnng: 1}\n")) ==
        "3:21: unknown key \"warnng\" (did you mean \"warning\"?)\n");
  CHECK(errors_of(tenant("rating:\n  boosts:\n    - match: ['a=\"b']\n      add: 5\n")) ==
        "4:15: matcher \"a=\\\"b\": column 3: unterminated quoted value\n");
  CHECK(errors_of(tenant("rating:\n  boosts:\n    - match: 'a=~\"(\"'\n      add: 5\n")) ==
        "4:14: matcher \"a=~\\\"(\\\"\": column 4: invalid regex: unbalanced parenthesis at 1\n");
  CHECK(errors_of(tenant("rating:\n  boosts:\n    - {match: [], add: 101}\n")) ==
        "4:24: \"add\": 101 is out of range -100..100\n");
  CHECK(errors_of(tenant("rating:\n  boosts:\n    - {add: 1}\n")) ==
        "4:7: missing required key \"match\" (use [] for every alert)\n");
  CHECK(errors_of(tenant("rating:\n  boosts:\n    - {match: []}\n")) ==
        "4:7: missing required key \"add\"\n");
  CHECK(
      errors_of(tenant("rating:\n  recurrence: {window: 0s, per_repeat: -1, resend_gap: 10}\n")) ==
      "3:24: \"window\": 0s is out of range 1s..168h\n"
      "3:40: \"per_repeat\": -1 is out of range 0..100\n"
      "3:56: \"resend_gap\": missing unit in duration \"10\" (use ms, s, m or h, e.g. 250ms, "
      "30s, 5m, 1h30m)\n");
  CHECK(errors_of(tenant("rating:\n  flapping: {window: 169h}\n")) ==
        "3:22: \"window\": 169h is out of range 1s..168h\n");
  CHECK(errors_of(tenant("rating:\n  flapping: {threshold: 32, boost: -101}\n")) ==
        "3:25: \"threshold\": 32 is out of range 1..31\n"
        "3:36: \"boost\": -101 is out of range -100..100\n");
  CHECK(errors_of(tenant("rating:\n  flap: {}\n")) == "3:3: unknown key \"flap\"\n");
  CHECK(errors_of(tenant("rating: []\n")) == "2:9: \"rating\": expected a map, got a list\n");
}

}  // namespace alertgate
