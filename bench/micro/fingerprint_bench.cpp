// Alert fingerprint (rating: XXH3 over the sorted label set, src/rating/fingerprint.cpp) on
// label sets of 5, 10 and 20 labels shaped like kube-prometheus alerts, and of an explicit
// dedup key. Each iteration fingerprints the next of 256 distinct label sets, so the cost
// includes walking label strings that are not all in L1, as after a decode.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/rating.hpp"

using namespace alertgate;

namespace {

constexpr std::size_t kSets = 256;

// (name, value prefix) in the order a Kubernetes alert accumulates them: the first 5 are
// a bare node alert, 10 a pod alert, 20 a pod alert with the operator's and team labels.
const char* const kLabels[][2] = {
    {"alertname", "KubePodCrashLooping"},
    {"instance", "10.42.3.17:8443"},
    {"job", "kube-state-metrics"},
    {"severity", "warning"},
    {"cluster", "eu-west-1-prod"},
    {"namespace", "payments"},
    {"pod", "checkout-api-7d9f8b6c5d-x2k4q"},
    {"container", "checkout-api"},
    {"service", "kube-prometheus-stack-kube-state-metrics"},
    {"endpoint", "http"},
    {"prometheus", "monitoring/kube-prometheus-stack-prometheus"},
    {"node", "ip-10-42-3-17.eu-west-1.compute.internal"},
    {"region", "eu-west-1"},
    {"team", "payments-core"},
    {"env", "prod"},
    {"uid", "3f1c2a9e-8b7d-4e6f-a5c4-1d2e3f4a5b6c"},
    {"reason", "CrashLoopBackOff"},
    {"app_kubernetes_io_name", "checkout-api"},
    {"app_kubernetes_io_instance", "checkout-api-prod"},
    {"owner", "team-payments@example.com"},
};

// kSets sorted label sets of `n` labels; every value carries the set's index so no two
// sets are equal (as distinct alerts are).
std::vector<LabelSet> label_sets(std::size_t n) {
  std::vector<LabelSet> sets(kSets);
  for (std::size_t s = 0; s < kSets; ++s) {
    for (std::size_t i = 0; i < n; ++i) {
      sets[s].push_back({kLabels[i][0], std::string(kLabels[i][1]) + "-" + std::to_string(s)});
    }
    sort_labels(sets[s]);
  }
  return sets;
}

void BM_FingerprintLabels(benchmark::State& state) {
  const auto sets = label_sets(static_cast<std::size_t>(state.range(0)));
  std::size_t bytes_per_pass = 0;
  for (const auto& set : sets) {
    for (const auto& l : set) bytes_per_pass += l.name.size() + l.value.size() + 2;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(fingerprint(sets[i]));
    i = (i + 1) % kSets;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes_per_pass / kSets));
}
BENCHMARK(BM_FingerprintLabels)->ArgName("labels")->Arg(5)->Arg(10)->Arg(20);

void BM_FingerprintDedupKey(benchmark::State& state) {
  std::vector<std::string> keys;
  for (std::size_t s = 0; s < kSets; ++s)
    keys.push_back("checkout-api/disk-full/" + std::to_string(s));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(fingerprint_of_dedup_key(keys[i]));
    i = (i + 1) % kSets;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FingerprintDedupKey);

}  // namespace
