// Compiled label matchers (alertgate::Matcher) against std::regex (ECMAScript, anchored as
// ^(?:re)$, built once) on typical matcher patterns and values. Each iteration matches
// every value of the pattern's set once; the counter is per value.
#include <benchmark/benchmark.h>

#include <regex>
#include <string>
#include <vector>

#include "alertgate/matcher.hpp"

using namespace alertgate;

namespace {

struct Case {
  const char* pattern;
  std::vector<std::string> values;
};

const Case kCases[] = {
    {"critical|warning", {"critical", "warning", "info", "page", "criticality"}},
    {"db-[0-9]+", {"db-1", "db-20431", "db-", "web-3", "db-12a"}},
    {".*-prod", {"api-prod", "checkout-eu-prod", "api-staging", "prod", "x-prod-2"}},
};

void BM_MatcherCompiled(benchmark::State& state) {
  const Case& c = kCases[state.range(0)];
  const Matcher m = make_matcher("label", MatchOp::regex, c.pattern).value();
  for (auto _ : state) {
    for (const std::string& v : c.values) benchmark::DoNotOptimize(m.matches_value(v));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(c.values.size()));
  state.SetLabel(c.pattern);
}
BENCHMARK(BM_MatcherCompiled)->DenseRange(0, 2);

void BM_MatcherStdRegex(benchmark::State& state) {
  const Case& c = kCases[state.range(0)];
  const std::regex re(std::string("^(?:") + c.pattern + ")$", std::regex::ECMAScript);
  for (auto _ : state) {
    for (const std::string& v : c.values) benchmark::DoNotOptimize(std::regex_match(v, re));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(c.values.size()));
  state.SetLabel(c.pattern);
}
BENCHMARK(BM_MatcherStdRegex)->DenseRange(0, 2);

// The VM path on a pattern with no fast path, for scale.
void BM_MatcherCompiledVm(benchmark::State& state) {
  const Matcher m = make_matcher("label", MatchOp::regex, "(?:db|cache)-[a-z]+-[0-9]{1,4}").value();
  const std::vector<std::string> values = {"db-eu-12", "cache-us-9999", "db-eu-12345", "web-1"};
  for (auto _ : state) {
    for (const std::string& v : values) benchmark::DoNotOptimize(m.matches_value(v));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size()));
}
BENCHMARK(BM_MatcherCompiledVm);

}  // namespace
