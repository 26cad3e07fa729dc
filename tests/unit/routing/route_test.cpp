#include "alertgate/route.hpp"

#include "routing_helpers.hpp"

using namespace routing_test;

namespace {

std::vector<std::uint64_t> keys(const TenantPolicy& p, const Alert& a) {
  std::vector<const Rule*> out;
  route(p, a, out);
  std::vector<std::uint64_t> k;
  for (const Rule* r : out) k.push_back(r->key);
  return k;
}

using Keys = std::vector<std::uint64_t>;

}  // namespace

TEST_CASE("routing: route takes the first matching rule in file order", "[routing]") {
  auto p = make_policy(
      {make_rule(1, {Severity::critical}), make_rule(2, {}), make_rule(3, {Severity::warning})});
  CHECK(keys(*p, make_alert({{"alertname", "A"}}, Severity::critical)) == Keys{1});
  CHECK(keys(*p, make_alert({{"alertname", "A"}}, Severity::warning)) == Keys{2});
}

TEST_CASE("routing: continue tries the later rules too", "[routing]") {
  Rule first = make_rule(1, {Severity::critical});
  first.continue_matching = true;
  Rule skipped = make_rule(2, {Severity::info});
  skipped.continue_matching = true;
  Rule third = make_rule(3, {});  // no continue: stops here
  auto p = make_policy({first, skipped, third, make_rule(4, {})});
  CHECK(keys(*p, make_alert({{"alertname", "A"}}, Severity::critical)) == Keys{1, 3});
  CHECK(keys(*p, make_alert({{"alertname", "A"}}, Severity::info)) == Keys{2, 3});
  CHECK(keys(*p, make_alert({{"alertname", "A"}}, Severity::warning)) == Keys{3});
}

TEST_CASE("routing: default rule only when no rule matched", "[routing]") {
  auto p = make_policy({make_rule(1, {Severity::critical})});
  CHECK(keys(*p, make_alert({{"alertname", "A"}}, Severity::info)).empty());
  p->default_rule = make_rule(99);
  CHECK(keys(*p, make_alert({{"alertname", "A"}}, Severity::info)) == Keys{99});
  CHECK(keys(*p, make_alert({{"alertname", "A"}}, Severity::critical)) == Keys{1});
}

TEST_CASE("routing: min and max rating are inclusive bounds", "[routing]") {
  Rule high = make_rule(1);
  high.min_rating = 80;
  Rule mid = make_rule(2);
  mid.min_rating = 40;
  mid.max_rating = 79;
  auto p = make_policy({high, mid});
  Alert a = make_alert({{"alertname", "A"}});
  for (const auto& [rating, want] :
       std::vector<std::pair<int, Keys>>{{80, {1}}, {100, {1}}, {79, {2}}, {40, {2}}, {39, {}}}) {
    a.rating = static_cast<std::uint8_t>(rating);
    CHECK(keys(*p, a) == want);
  }
}

TEST_CASE("routing: matchers, all of them, absent label reads as empty", "[routing]") {
  auto p = make_policy({make_rule(1, {}, R"(service=~"db|cache", env!="staging")"),
                        make_rule(2, {}, R"(team="")"), make_rule(3, {})});
  CHECK(keys(*p, make_alert({{"service", "db"}, {"env", "prod"}, {"team", "x"}})) == Keys{1});
  CHECK(keys(*p, make_alert({{"service", "cache"}})) == Keys{1});
  CHECK(keys(*p, make_alert({{"service", "db"}, {"env", "staging"}})) == Keys{2});
  CHECK(keys(*p, make_alert({{"service", "dbx"}, {"team", "x"}})) == Keys{3});
}
