// Why the hot path uses per-reactor Cells instead of prometheus-cpp's Counter: the same
// increment from 1 and 2 threads. prometheus::Counter::Increment is a CAS loop on one
// shared std::atomic<double>; a Cell is a relaxed load+store on a thread-owned slot.
#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "alertgate/metrics.hpp"

namespace {

prometheus::Registry& registry() {
  static prometheus::Registry r;
  return r;
}

prometheus::Counter& shared_counter() {
  static auto& c = prometheus::BuildCounter().Name("bench_total").Register(registry()).Add({});
  return c;
}

void BM_PrometheusCppCounter(benchmark::State& state) {
  auto& c = shared_counter();
  for (auto _ : state) c.Increment();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrometheusCppCounter)->Threads(1)->Threads(2);

void BM_ReactorCell(benchmark::State& state) {
  static alertgate::Metrics metrics(1, {"other"}, 2, "bench");
  auto& cell =
      metrics.reactor(static_cast<std::size_t>(state.thread_index())).tenant(0).received[0];
  for (auto _ : state) cell.add();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReactorCell)->Threads(1)->Threads(2);

}  // namespace
