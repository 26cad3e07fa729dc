// Decode cost per request body, at 1 and 100 alerts per request.
#include <benchmark/benchmark.h>

#include <string>

#include "alertgate/decode.hpp"

using namespace alertgate;

namespace {

std::string am_body(int n) {
  std::string s = "[";
  for (int i = 0; i < n; ++i) {
    if (i) s += ",";
    s += R"({"labels":{"alertname":"BenchAlert","instance":"host-)" + std::to_string(i) +
         R"(:9100","job":"node","severity":"warning"},"annotations":{"summary":"bench alert"},)"
         R"("startsAt":"2026-08-20T10:00:00Z"})";
  }
  return s + "]";
}

void BM_DecodeAlertmanagerV2(benchmark::State& state) {
  Decoder decoder;
  const std::string body = am_body(static_cast<int>(state.range(0)));
  std::vector<Alert> out;
  std::string copy;
  for (auto _ : state) {
    copy = body;
    out.clear();
    auto r = decoder.alertmanager_v2(copy, now(), out);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeAlertmanagerV2)->Arg(1)->Arg(100);

}  // namespace
