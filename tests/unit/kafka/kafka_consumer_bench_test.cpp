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
#include <vector>

#include "alertgate/alert_json.hpp"
#include "alertgate/kafka/kafka_consumer.hpp"
#include "support/kafka_mock.hpp"

using namespace alertgate;
using namespace alertgate::kafka;
using namespace alertgate::testing;
using namespace std::chrono_literals;

TEST_CASE("bench: kafka consumer consumption rate against the mock cluster",
          "[.bench][kafka-consumer-bench]") {
  constexpr int kTopics = 4;
  constexpr int kPartitions = 4;
  // AG_BENCH_MESSAGES overrides the count. The mock keeps about 5 MB per partition (older
  // segments are dropped), so more than ~10k messages per partition are not all consumable.
  const char* count = std::getenv("AG_BENCH_MESSAGES");
  const std::uint64_t kMessages = count != nullptr ? std::strtoull(count, nullptr, 10) : 100'000;
  MockKafka kafka;
  // The headers a router's producer writes with each alert.
  const MockKafka::Headers kAlertHeaders = {{"tenant_id", "header-tenant"}, {"rating", "92"}};
  std::vector<std::string> values(kTopics);  // one per tenant topic
  Alert a;
  a.labels = {{"alertname", "HighCPU"}, {"instance", "db1:9100"}, {"team", "db"}};
  a.annotations = {{"summary", "CPU above 90% for 5 minutes"}};
  a.alert_id = "01J9ZQ3K6V0000000000000000";
  a.trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  for (int t = 0; t < kTopics; ++t) {
    a.tenant_id = "t" + std::to_string(t);
    append_alert_json(values[static_cast<std::size_t>(t)], a);
  }
  for (int t = 0; t < kTopics; ++t) kafka.create_topic("alerts-t" + std::to_string(t), kPartitions);
  for (std::uint64_t i = 0; i < kMessages; ++i) {
    kafka.produce("alerts-t" + std::to_string(i % kTopics),
                  static_cast<std::int32_t>((i / kTopics) % kPartitions), "k", values[i % kTopics],
                  kAlertHeaders);
    if (i % 50'000 == 49'999) kafka.flush();
  }
  kafka.flush();

  std::atomic<std::uint64_t> received{0};
  std::atomic<std::int64_t> first_ns{0};
  std::atomic<std::int64_t> last_ns{0};
  Consumer* self = nullptr;
  ConsumerSettings s;
  s.brokers = kafka.bootstraps();
  s.group_id = "bench";
  s.properties["log_level"] = "4";
  // AG_BENCH_DECODE=1: the handler also decodes each value (decode_alert), as a router does.
  const bool decode = std::getenv("AG_BENCH_DECODE") != nullptr;
  std::atomic<std::uint64_t> decode_errors{0};
  auto opened = Consumer::open(s, [&](ConsumedMessage m) {
    if (decode && !m.decode_alert().ok()) decode_errors.fetch_add(1);
    const std::uint64_t n = received.fetch_add(1) + 1;
    if (n == 1) first_ns = std::chrono::steady_clock::now().time_since_epoch().count();
    if (n == kMessages) last_ns = std::chrono::steady_clock::now().time_since_epoch().count();
    self->done(m.token);
  });
  REQUIRE(opened.ok());
  self = opened.value().get();
  const auto started = std::chrono::steady_clock::now();
  self->start();
  const bool all = poll_until([&] { return received.load() >= kMessages; }, 120s);
  INFO("received " << received.load() << " stats.messages " << self->stats().messages);
  REQUIRE(all);
  const double seconds = static_cast<double>(last_ns - first_ns) * 1e-9;
  const auto join = std::chrono::duration<double>(std::chrono::steady_clock::time_point(
                                                      std::chrono::nanoseconds(first_ns.load())) -
                                                  started)
                        .count();
  REQUIRE(poll_until([&] { return self->stats().done == kMessages; }, 30s));
  std::printf(
      "consumer%s: %llu messages (%zu bytes each) in %.3f s after the first = %.0f msgs/s "
      "(group join + first fetch %.2f s)\n",
      decode ? " + decode_alert" : "", static_cast<unsigned long long>(kMessages), values[0].size(),
      seconds, static_cast<double>(kMessages) / seconds, join);
  CHECK(self->stats().messages == kMessages);
  CHECK(decode_errors == 0);
  opened.value()->stop();
}
