// Bounded measurement (hidden: run with "[.bench]"): consumption msgs/s of one Consumer
// against the in-process mock cluster, with done() called at once by the handler.
//   ./build/tests/unit_tests "[kafka-consumer-bench]"
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "alertgate/alert_json.hpp"
#include "alertgate/kafka/kafka_consumer.hpp"
#include "unit/kafka/consumer_test_kafka.hpp"

using namespace alertgate;
using namespace alertgate::kafka;
using namespace alertgate::test;

TEST_CASE("bench: kafka consumer consumption rate against the mock cluster",
          "[.bench][kafka-consumer-bench]") {
  constexpr int kTopics = 4;
  constexpr int kPartitions = 4;
  // AG_BENCH_MESSAGES overrides the count. The mock keeps about 5 MB per partition (older
  // segments are dropped), so more than ~10k messages per partition are not all consumable.
  const char* count = std::getenv("AG_BENCH_MESSAGES");
  const std::uint64_t kMessages = count != nullptr ? std::strtoull(count, nullptr, 10) : 100'000;
  MockKafka kafka;
  std::string value;
  Alert a;
  a.labels = {{"alertname", "HighCPU"}, {"instance", "db1:9100"}, {"team", "db"}};
  a.annotations = {{"summary", "CPU above 90% for 5 minutes"}};
  a.tenant_id = "t0";
  a.alert_id = "01J9ZQ3K6V0000000000000000";
  a.trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  append_alert_json(value, a);
  for (int t = 0; t < kTopics; ++t) kafka.create_topic("alerts-t" + std::to_string(t), kPartitions);
  for (std::uint64_t i = 0; i < kMessages; ++i) {
    kafka.produce("alerts-t" + std::to_string(i % kTopics),
                  static_cast<std::int32_t>((i / kTopics) % kPartitions), "k", value);
    if (i % 50'000 == 49'999) kafka.flush();
  }
  kafka.flush();

  std::atomic<std::uint64_t> received{0};
  std::atomic<std::int64_t> first_ns{0};
  Consumer* self = nullptr;
  std::atomic<bool> ready{false};
  ConsumerSettings s;
  s.brokers = kafka.bootstraps();
  s.group_id = "bench";
  s.properties["log_level"] = "4";
  auto opened = Consumer::open(s, [&](ConsumedMessage m) {
    if (received.fetch_add(1) == 0) {
      first_ns = std::chrono::steady_clock::now().time_since_epoch().count();
    }
    while (!ready.load(std::memory_order_acquire)) std::this_thread::yield();
    self->done(m.token);
  });
  REQUIRE(opened.ok());
  self = opened.value().get();
  ready = true;
  const auto started = std::chrono::steady_clock::now();
  const bool all = poll_until([&] { return received.load() >= kMessages; }, 120s);
  INFO("received " << received.load() << " stats.messages " << self->stats().messages);
  REQUIRE(all);
  const auto finished = std::chrono::steady_clock::now();
  const double seconds =
      std::chrono::duration<double>(finished.time_since_epoch()).count() - first_ns * 1e-9;
  const auto join = std::chrono::duration<double>(std::chrono::steady_clock::time_point(
                                                      std::chrono::nanoseconds(first_ns.load())) -
                                                  started)
                        .count();
  REQUIRE(poll_until([&] { return self->stats().done == kMessages; }, 30s));
  std::printf(
      "consumer: %llu messages (%zu bytes each) in %.3f s after the first = %.0f msgs/s "
      "(group join + first fetch %.2f s)\n",
      static_cast<unsigned long long>(kMessages), value.size(), seconds,
      static_cast<double>(kMessages) / seconds, join);
  CHECK(self->stats().messages == kMessages);
  opened.value()->stop();
}
