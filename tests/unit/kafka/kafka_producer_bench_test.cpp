// A bounded measurement (hidden by default; ~25 s): produce -> delivery report throughput of
// the Producer against the in-process mock cluster, for the compression and linger defaults.
//   ./build/tests/unit_tests "[.][kafka-bench]"
#include <sys/resource.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <vector>

#include "alertgate/kafka/kafka_producer.hpp"
#include "kafka_producer_mock.hpp"

using namespace alertgate;
using namespace alertgate::kafka;
using namespace alertgate::kafka::testing;
using namespace std::chrono_literals;

namespace {

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

struct Run {
  double alerts_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double cpu_us_per_alert = 0;  // whole process: producer, poll thread and the mock brokers
  std::uint64_t failed = 0;
};

// Closed loop: `window` requests of `batch` alerts outstanding (like that many HTTP clients
// waiting for durability: kafka acks); a request completes when all its reports are in.
Run measure(const MockKafka& cluster, const std::string& compression, const std::string& linger,
            std::size_t batch, std::size_t window, std::chrono::milliseconds duration) {
  ProducerSettings s;
  s.brokers = cluster.bootstraps();
  s.properties = {{"compression.type", compression}, {"linger.ms", linger}};
  auto producer = Producer::open(std::move(s));
  REQUIRE(producer.ok());
  REQUIRE(poll_until([&] { return (*producer)->healthy(); }, 20s));

  std::vector<Alert> alerts;
  for (std::size_t i = 0; i < batch; ++i) {
    alerts.push_back(make_alert("bench-" + std::to_string(i % 3), 0xb000 + i, static_cast<int>(i)));
  }
  // Warm-up: topics exist, connections and idempotent producer id are set up.
  (*producer)->produce(std::span<const Alert>(alerts), [](std::size_t, const DeliveryReport&) {});
  REQUIRE((*producer)->flush(20s));

  std::mutex mutex;
  std::condition_variable cv;
  std::size_t outstanding = 0;
  std::uint64_t done_alerts = 0;
  std::uint64_t failed = 0;
  std::vector<double> latencies_ms;
  const double cpu_start = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + duration;
  std::unique_lock lock(mutex);
  while (std::chrono::steady_clock::now() < end) {
    cv.wait_until(lock, end, [&] { return outstanding < window; });
    while (outstanding < window && std::chrono::steady_clock::now() < end) {
      ++outstanding;
      lock.unlock();
      struct Request {
        std::size_t left;
        std::chrono::steady_clock::time_point sent;
      };
      auto request = std::make_shared<Request>(Request{batch, std::chrono::steady_clock::now()});
      (*producer)->produce(
          std::span<const Alert>(alerts), [&, request](std::size_t, const DeliveryReport& r) {
            std::lock_guard guard(mutex);
            ++done_alerts;
            if (!r.delivered) ++failed;
            if (--request->left == 0) {
              latencies_ms.push_back(std::chrono::duration<double, std::milli>(
                                         std::chrono::steady_clock::now() - request->sent)
                                         .count());
              --outstanding;
              cv.notify_one();
            }
          });
      lock.lock();
    }
  }
  const std::uint64_t counted = done_alerts;
  lock.unlock();
  const double cpu = cpu_seconds() - cpu_start;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE((*producer)->flush(20s));
  (*producer)->stop();
  Run run;
  run.alerts_per_s = static_cast<double>(counted) / seconds;
  run.cpu_us_per_alert = counted ? cpu * 1e6 / static_cast<double>(counted) : 0;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  if (!latencies_ms.empty()) {
    run.p50_ms = latencies_ms[latencies_ms.size() / 2];
    run.p99_ms = latencies_ms[latencies_ms.size() * 99 / 100];
  }
  run.failed = failed;
  return run;
}

}  // namespace

TEST_CASE("kafka producer: throughput by compression and linger", "[.][kafka-bench]") {
  MockKafka cluster(3);
  std::printf("%-6s %-6s %-6s %-7s %12s %9s %9s %12s\n", "compr", "linger", "batch", "window",
              "alerts/s", "p50 ms", "p99 ms", "cpu us/alert");
  for (const char* compression : {"lz4", "zstd"}) {
    for (const char* linger : {"0", "1", "5"}) {
      for (const auto& [batch, window] : {std::pair<std::size_t, std::size_t>{1, 256}, {100, 16}}) {
        const Run r = measure(cluster, compression, linger, batch, window, 2000ms);
        std::printf("%-6s %-6s %-6zu %-7zu %12.0f %9.2f %9.2f %12.2f\n", compression, linger, batch,
                    window, r.alerts_per_s, r.p50_ms, r.p99_ms, r.cpu_us_per_alert);
        std::fflush(stdout);
        CHECK(r.failed == 0);
        CHECK(r.alerts_per_s > 0);
      }
    }
  }
}
