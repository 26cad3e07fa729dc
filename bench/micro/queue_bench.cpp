// The shard hand-off (include/alertgate/shard.hpp): ingest threads ShardSet::submit()
// decoded alerts into the tenant's moodycamel queue, which posts one drain to the home
// shard's io_context; the shard thread dequeues in bulk (DRR budget 256) and hands batches to
// the Deliverer, which moves each alert out as ShardRouter does. Alerts/s through that path
// for 1 and 2 producer threads submitting batches of 1 alert (one per request) and 100 (a
// Prometheus batch) to one tenant (the hot-tenant case: every producer on one queue), one
// shard thread consuming.
//
// Each producer builds its alerts (6 labels, ids, 2 annotations) on its own thread before
// the clock starts, as a reactor decodes them; the time runs from the start signal to the
// delivery of the last alert, so it covers submit, wake-up, dequeue, delivery and freeing
// on the shard thread memory allocated on another (no jemalloc in this binary: glibc).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/metrics.hpp"
#include "alertgate/shard.hpp"

using namespace alertgate;

namespace {

constexpr std::size_t kAlertsPerProducer = 20'000;  // per timed iteration

// Counts delivered alerts and wakes the timing thread when a target is reached.
class CountingDeliverer final : public Deliverer {
 public:
  void deliver(std::size_t /*shard*/, TenantIndex /*tenant*/, std::span<Alert> batch,
               ReactorMetrics& /*metrics*/) override {
    for (Alert& a : batch) {
      Alert taken = std::move(a);
      benchmark::DoNotOptimize(taken);
    }
    const std::uint64_t n =
        delivered_.fetch_add(batch.size(), std::memory_order_acq_rel) + batch.size();
    if (n >= target_.load(std::memory_order_acquire)) {
      std::lock_guard lock(mutex_);  // pairs with the predicate check in wait_for()
      done_.notify_all();
    }
  }

  std::uint64_t delivered() const { return delivered_.load(std::memory_order_acquire); }
  void set_target(std::uint64_t total) { target_.store(total, std::memory_order_release); }
  void wait_for(std::uint64_t total) {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return delivered() >= total; });
  }

 private:
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> target_{std::numeric_limits<std::uint64_t>::max()};
  std::mutex mutex_;
  std::condition_variable done_;
};

std::vector<Alert> make_alerts(int producer, std::size_t n) {
  std::vector<Alert> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    Alert& a = out[i];
    const std::string id = std::to_string(producer) + "-" + std::to_string(i);
    a.labels = {{"alertname", "HighLatency"}, {"cluster", "eu-west-1-prod"},
                {"instance", "host-" + id},   {"job", "node"},
                {"service", "checkout-api"},  {"severity", "warning"}};
    a.annotations = {{"summary", "p99 latency above 500ms on host-" + id},
                     {"runbook_url", "https://runbooks.example.com/high-latency"}};
    a.tenant_id = "tenant-1";
    a.alert_id = "01JDQ6Z7X8Y9ABCDEFGHJK" + std::to_string(i % 10'000);
    a.fingerprint = i;
  }
  return out;
}

void BM_ShardHandoff(benchmark::State& state) {
  const int producers = static_cast<int>(state.range(0));
  const auto batch = static_cast<std::size_t>(state.range(1));

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  Metrics metrics(1, {"other"}, 1, "bench");
  CountingDeliverer deliverer;
  ShardSet shards({&io}, 1, ShardSettings{}, deliverer, metrics);
  constexpr TenantIndex kTenant = 0;
  shards.add_tenant(kTenant, "tenant-1");
  shards.set_max_queue(kTenant, std::numeric_limits<std::size_t>::max());
  std::thread shard_thread([&io] { io.run(); });

  std::uint64_t queue_full = 0;
  for (auto _ : state) {
    const std::uint64_t target =
        deliverer.delivered() + static_cast<std::uint64_t>(producers) * kAlertsPerProducer;
    deliverer.set_target(target);
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::atomic<std::uint64_t> refused{0};
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(producers));
    for (int p = 0; p < producers; ++p) {
      threads.emplace_back([&, p] {
        std::vector<Alert> alerts = make_alerts(p, kAlertsPerProducer);
        ready.fetch_add(1, std::memory_order_release);
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        for (std::size_t i = 0; i < alerts.size(); i += batch) {
          const std::span<Alert> chunk(alerts.data() + i, std::min(batch, alerts.size() - i));
          while (shards.submit(kTenant, chunk) == ShardSet::Submit::queue_full) {
            refused.fetch_add(1, std::memory_order_relaxed);  // not expected: no limit
            std::this_thread::yield();
          }
        }
      });
    }
    while (ready.load(std::memory_order_acquire) != producers) std::this_thread::yield();
    const auto start = std::chrono::steady_clock::now();
    go.store(true, std::memory_order_release);
    deliverer.wait_for(target);
    const auto stop = std::chrono::steady_clock::now();
    for (auto& t : threads) t.join();
    state.SetIterationTime(std::chrono::duration<double>(stop - start).count());
    queue_full += refused.load();
  }

  work.reset();
  io.stop();
  shard_thread.join();
  state.SetItemsProcessed(state.iterations() * producers *
                          static_cast<std::int64_t>(kAlertsPerProducer));
  state.counters["queue_full"] = static_cast<double>(queue_full);
}
BENCHMARK(BM_ShardHandoff)
    ->ArgNames({"producers", "batch"})
    ->Args({1, 1})
    ->Args({1, 100})
    ->Args({2, 1})
    ->Args({2, 100})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
