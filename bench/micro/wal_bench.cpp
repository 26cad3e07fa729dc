// WAL: CRC32C speed, and group-commit throughput and commit latency (append -> callback)
// for ~200-byte records with 1 and 4 submitting threads and commit_interval 0/1/2 ms.
// Files go to $ALERTGATE_WAL_BENCH_DIR, default ./wal-bench-data (run it from the disk you
// want to measure); the directory is removed afterwards.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "alertgate/wal/crc32c.hpp"
#include "alertgate/wal/record.hpp"
#include "alertgate/wal/wal_writer.hpp"

using namespace alertgate;

namespace {

void BM_Crc32cPortable(benchmark::State& state) {
  const std::string buf(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(wal::crc32c_portable(buf.data(), buf.size()));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Crc32cPortable)->Arg(200)->Arg(65536);

void BM_Crc32cHardware(benchmark::State& state) {
  if (!wal::crc32c_hardware_available()) {
    state.SkipWithError("no SSE4.2");
    return;
  }
  const std::string buf(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(wal::crc32c_hardware(buf.data(), buf.size()));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Crc32cHardware)->Arg(200)->Arg(65536);

// About 200 bytes encoded.
Alert bench_alert(int i) {
  Alert a;
  a.labels = {
      {"alertname", "HighLatency"}, {"instance", "host-" + std::to_string(i)}, {"job", "api"}};
  a.annotations = {{"summary", "p99 above 500ms"}};
  a.tenant_id = "tenant-1";
  a.alert_id = "01J9Z3K4M5N6P7Q8R9S0T" + std::to_string(100000 + i);
  a.trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  return a;
}

// Args: submitting threads, commit_interval in microseconds, appends in flight per thread
// (1: each thread waits for its append before the next; large: an open pipeline).
void BM_WalAppend(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const int inflight = static_cast<int>(state.range(2));
  const int per_thread = inflight == 1 ? 300 : 5000;
  const char* env = std::getenv("ALERTGATE_WAL_BENCH_DIR");
  const std::filesystem::path dir = env ? env : "wal-bench-data";
  std::filesystem::remove_all(dir);
  wal::WalOptions o;
  o.dir = dir;
  o.commit_interval = std::chrono::microseconds(state.range(1));
  auto w = wal::WalWriter::open(o);
  if (!w.ok()) {
    state.SkipWithError(w.error().message.c_str());
    return;
  }
  std::string probe;
  wal::append_alert_record(bench_alert(0), probe);
  std::vector<std::int64_t> latencies;
  std::uint64_t commits_before = (*w)->stats().commits;
  for (auto _ : state) {
    std::vector<std::int64_t> lat(static_cast<std::size_t>(threads * per_thread));
    std::atomic<int> done{0};
    std::vector<std::thread> th;
    th.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      th.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          const auto slot = static_cast<std::size_t>(t) * static_cast<std::size_t>(per_thread) +
                            static_cast<std::size_t>(i);
          const auto start = std::chrono::steady_clock::now();
          std::atomic<bool> mine{false};
          (*w)->append(bench_alert(i), [&, slot, start](std::error_code, wal::WalTicket) {
            lat[slot] = (std::chrono::steady_clock::now() - start).count();
            if (inflight == 1) mine.store(true);
            done.fetch_add(1);
          });
          if (inflight == 1) {
            while (!mine.load()) std::this_thread::yield();
          }
        }
      });
    }
    for (auto& x : th) x.join();
    while (done.load() != threads * per_thread) std::this_thread::yield();
    latencies.insert(latencies.end(), lat.begin(), lat.end());
  }
  const auto commits = (*w)->stats().commits - commits_before;
  (*w)->stop();
  std::filesystem::remove_all(dir);
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0
                             : static_cast<double>(latencies[static_cast<std::size_t>(
                                   p * static_cast<double>(latencies.size() - 1))]) /
                                   1e6;
  };
  state.SetItemsProcessed(static_cast<std::int64_t>(latencies.size()));
  state.counters["record_bytes"] = static_cast<double>(probe.size());
  state.counters["p50_ms"] = pct(0.50);
  state.counters["p99_ms"] = pct(0.99);
  state.counters["appends_per_sync"] =
      commits ? static_cast<double>(latencies.size()) / static_cast<double>(commits) : 0.0;
}
BENCHMARK(BM_WalAppend)
    ->ArgNames({"threads", "commit_us", "inflight"})
    ->ArgsProduct({{1, 4}, {0, 1000, 2000}, {1, 1000}})
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
