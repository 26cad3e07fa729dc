#include "alertgate/bench/kafka_probe.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "alertgate/bench/bench_marker.hpp"
#include "support/kafka_mock.hpp"

using namespace alertgate;
using namespace alertgate::bench;
using alertgate::testing::MockKafka;
using alertgate::testing::poll_until;

namespace {

// An enriched-alert-like JSON value whose annotation carries the marker of `seq`, intended
// 5 ms before now.
std::string marked_alert(std::uint64_t seq) {
  std::string marker;
  append_marker(marker, Marker{seq, now() - std::chrono::milliseconds(5)});
  return R"({"tenant_id":"t1","labels":{"alertname":"Bench"},"annotations":{")" +
         std::string(kMarkerAnnotation) + R"(":")" + marker + R"("}})";
}

// Runs the probe against a fresh mock cluster: messages already in alerts-t1 before the
// start, then, once assigned, marked and unmarked messages into alerts-t1, into alerts-t2
// (a topic created while the probe runs, which the probe must pick up from its start) and
// into "other" (not matching ^alerts-.*: never consumed). Returns once the expected
// messages are counted; checks the counts and the latencies.
void run_probe_scenario(KafkaProbeOptions options) {
  MockKafka kafka(1, "0");  // linger.ms 0: the markers measure latency
  kafka.create_topic("alerts-t1", 2);
  kafka.create_topic("other", 1);
  for (std::uint64_t i = 0; i < 3; ++i) kafka.produce("alerts-t1", marked_alert(1000 + i));
  kafka.flush();
  const std::uint64_t before = options.from_beginning ? 3 : 0;  // else: not ours

  options.brokers = kafka.bootstraps();
  KafkaProbe probe(options);
  const auto started = probe.start();
  REQUIRE(started.ok());
  REQUIRE(poll_until([&] { return probe.assigned(); }, std::chrono::seconds(20)));

  // Produced right after assigned(): a bench starts sending at that point.
  for (std::uint64_t i = 0; i < 5; ++i) kafka.produce("alerts-t1", marked_alert(i));
  kafka.produce("alerts-t1", R"({"tenant_id":"t1","labels":{"alertname":"Unmarked"}})");
  for (std::uint64_t i = 0; i < 3; ++i) kafka.produce("other", marked_alert(100 + i));
  for (std::uint64_t i = 5; i < 10; ++i) kafka.produce("alerts-t2", marked_alert(i));
  kafka.flush();

  KafkaProbeCounts counts;
  const bool all = poll_until(
      [&] {
        LatencyHistogram scratch;
        counts = probe.collect(scratch);
        return counts.measured >= before + 10 && counts.messages >= before + 11;
      },
      std::chrono::seconds(30));
  INFO("messages " << counts.messages << " measured " << counts.measured);
  REQUIRE(all);
  LatencyHistogram histogram;
  counts = probe.collect(histogram);
  CHECK(counts.messages == before + 11);
  CHECK(counts.measured == before + 10);
  CHECK(counts.errors == 0);
  CHECK(histogram.count() == before + 10);
  // Message timestamp (ms, taken at produce) - intended (5 ms before produce), the
  // timestamp truncated to the ms: at least 4 ms, and nothing absurd.
  CHECK(histogram.min() >= 4'000'000);
  CHECK(histogram.max() < 60'000'000'000);

  probe.stop();
  CHECK_FALSE(probe.assigned());
  probe.stop();  // idempotent
}

}  // namespace

TEST_CASE("bench: kafka probe counts what arrives after assignment, new topics included",
          "[bench][kafka]") {
  KafkaProbeOptions options;
  options.group_id = "kafka-probe-test";
  run_probe_scenario(options);  // cooperative-sticky
}

TEST_CASE("bench: kafka probe with an eager assignor resumes revoked partitions",
          "[bench][kafka]") {
  // A new topic revokes and re-assigns every partition; nothing may be skipped or re-read.
  KafkaProbeOptions options;
  options.properties = {{"partition.assignment.strategy", "range"}};
  run_probe_scenario(options);
}

TEST_CASE("bench: kafka probe from the beginning", "[bench][kafka]") {
  KafkaProbeOptions options;
  options.from_beginning = true;
  run_probe_scenario(options);
}

TEST_CASE("bench: kafka probe reads a topic created after start() whole, assigned or not",
          "[bench][kafka]") {
  // A fresh cluster: alertgate creates alerts-<tenant> with the bench's first alert, and
  // librdkafka joins the group only once a topic matches, so the bench cannot wait for
  // assigned() first.
  MockKafka kafka(1, "0");  // linger.ms 0: the markers measure latency
  KafkaProbeOptions options;
  options.brokers = kafka.bootstraps();
  KafkaProbe probe(options);
  REQUIRE(probe.start().ok());
  CHECK_FALSE(probe.assigned());
  for (std::uint64_t i = 0; i < 4; ++i) kafka.produce("alerts-new", marked_alert(i));
  kafka.flush();
  REQUIRE(poll_until(
      [&] {
        LatencyHistogram scratch;
        return probe.collect(scratch).measured >= 4;
      },
      std::chrono::seconds(30)));
  CHECK(probe.assigned());
  LatencyHistogram histogram;
  const KafkaProbeCounts counts = probe.collect(histogram);
  CHECK(counts.messages == 4);
  CHECK(counts.measured == 4);
  CHECK(histogram.min() >= 4'000'000);
}

TEST_CASE("bench: kafka probe start errors", "[bench][kafka]") {
  SECTION("empty broker list") {
    KafkaProbe probe(KafkaProbeOptions{});
    const auto r = probe.start();
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("broker list"));
  }
  SECTION("an empty entry in the broker list") {
    KafkaProbeOptions o;
    o.brokers = "127.0.0.1:9092,,127.0.0.1:9093";
    KafkaProbe probe(o);
    CHECK_FALSE(probe.start().ok());
  }
  SECTION("brokers that do not answer") {
    KafkaProbeOptions o;
    o.brokers = "127.0.0.1:1";  // nothing listens on port 1: connection refused
    KafkaProbe probe(o);
    const auto r = probe.start();
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("no metadata"));
  }
  SECTION("unknown librdkafka property") {
    KafkaProbeOptions o;
    o.brokers = "127.0.0.1:9";
    o.properties = {{"no.such.property", "1"}};
    KafkaProbe probe(o);
    const auto r = probe.start();
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("no.such.property"));
  }
  SECTION("invalid property value") {
    KafkaProbeOptions o;
    o.brokers = "127.0.0.1:9";
    o.properties = {{"session.timeout.ms", "soon"}};
    KafkaProbe probe(o);
    CHECK_FALSE(probe.start().ok());
    probe.stop();  // nothing started: a no-op
  }
}
