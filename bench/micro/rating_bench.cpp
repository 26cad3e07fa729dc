// Fingerprint and first rating pass per alert.
#include <benchmark/benchmark.h>

#include "alertgate/rating.hpp"

using namespace alertgate;

namespace {

Alert sample() {
  Alert a;
  a.labels = {{"alertname", "BenchAlert"},
              {"instance", "host-1:9100"},
              {"job", "node"},
              {"severity", "warning"}};
  a.severity_raw = "warning";
  return a;
}

void BM_Fingerprint(benchmark::State& state) {
  const Alert a = sample();
  for (auto _ : state) benchmark::DoNotOptimize(fingerprint(a.labels));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Fingerprint);

void BM_Enrich(benchmark::State& state) {
  Enricher e(RatingSettings{}, 1);
  const TimePoint t = now();
  const std::string trace = e.trace_for("");
  for (auto _ : state) {
    Alert a = sample();
    e.enrich(a, "tenant-1", t, trace);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Enrich);

}  // namespace
