#include "alertgate/route.hpp"

#include "routing_helpers.hpp"

using namespace routing_test;

namespace {

// The rules route() takes, checked against RouteTable (the compiled form must agree).
std::vector<std::uint64_t> keys(const TenantPolicy& p, const Alert& a) {
  std::vector<const Rule*> out;
  route(p, a, out);
  std::vector<const Rule*> compiled;
  RouteTable(p).route(a, compiled);
  CHECK(compiled == out);
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

TEST_CASE("routing: RouteTable agrees with route() on mixed rules", "[routing]") {
  Rule a = make_rule(1, {Severity::critical, Severity::error}, R"(service=~"db.*", env="prod")");
  a.continue_matching = true;
  Rule b = make_rule(2, {}, R"(team!~"data|infra", alertname!="Watchdog")");
  b.min_rating = 30;
  b.max_rating = 70;
  Rule c = make_rule(3, {Severity::info});
  auto p = make_policy({a, b, c});
  p->default_rule = make_rule(4);
  const char* services[] = {"db", "dbx", "api", ""};
  const char* teams[] = {"data", "core", ""};
  const Severity sevs[] = {Severity::critical, Severity::error, Severity::warning, Severity::info};
  int taken = 0;
  for (const char* s : services) {
    for (const char* t : teams) {
      for (Severity sev : sevs) {
        for (int rating : {10, 30, 70, 90}) {
          LabelSet labels{{"alertname", "X"}, {"env", "prod"}};
          if (*s) labels.push_back({"service", s});
          if (*t) labels.push_back({"team", t});
          Alert al = make_alert(labels, sev);
          al.rating = static_cast<std::uint8_t>(rating);
          taken += static_cast<int>(keys(*p, al).size());
        }
      }
    }
  }
  CHECK(taken > 0);
}

TEST_CASE("routing: RouteTable's literal regex tests agree with the regex engine", "[routing]") {
  const char* patterns[] = {"db|cache", "db",    "a|",          "High.*",       ".*Latency", ".*",
                            ".+",       "eu-.*", "host-[0-9]+", "(eu|us)-west", "x.*y"};
  const char* values[] = {"",     "db",      "cache",      "dbx",     "a",          "HighCPU",
                          "High", "High\nX", "ApiLatency", "Latency", "X\nLatency", "\n",
                          "eu-1", "host-12", "eu-west",    "xay"};
  int i = 0;
  for (const char* pat : patterns) {
    Rule eq = make_rule(static_cast<std::uint64_t>(++i));
    eq.match = {make_matcher("v", MatchOp::regex, pat).value()};
    Rule ne = make_rule(static_cast<std::uint64_t>(++i));
    ne.match = {make_matcher("v", MatchOp::not_regex, pat).value()};
    ne.continue_matching = eq.continue_matching = true;
    auto p = make_policy({eq, ne});
    for (const char* v : values) {
      INFO(pat << " on " << v);
      LabelSet labels{{"alertname", "X"}};
      if (*v) labels.push_back({"v", v});
      CHECK(keys(*p, make_alert(labels)).size() == 1);  // exactly one of =~ and !~
    }
  }
}
