#include "alertgate/bench/kafka_probe.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "alertgate/bench/bench_marker.hpp"

using namespace alertgate;
using namespace alertgate::bench;

namespace {

// An in-process librdkafka mock cluster (127.0.0.1, random ports) and a producer for it.
class MockKafka {
 public:
  explicit MockKafka(int brokers = 1) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr);  // no "no brokers" notice
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    REQUIRE(owner_ != nullptr);
    cluster_ = rd_kafka_mock_cluster_new(owner_, brokers);
    REQUIRE(cluster_ != nullptr);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);

    conf = rd_kafka_conf_new();
    REQUIRE(rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps_.c_str(), errstr,
                              sizeof errstr) == RD_KAFKA_CONF_OK);
    REQUIRE(rd_kafka_conf_set(conf, "linger.ms", "0", errstr, sizeof errstr) == RD_KAFKA_CONF_OK);
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    REQUIRE(producer_ != nullptr);
  }
  ~MockKafka() {
    rd_kafka_destroy(producer_);
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(owner_);
  }
  MockKafka(const MockKafka&) = delete;
  MockKafka& operator=(const MockKafka&) = delete;

  const std::string& bootstraps() const { return bootstraps_; }
  void create_topic(const std::string& topic, int partitions) {
    REQUIRE(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1) ==
            RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void produce(const std::string& topic, const std::string& value) {
    const rd_kafka_resp_err_t err =
        rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(topic.c_str()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void flush() { REQUIRE(rd_kafka_flush(producer_, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR); }

 private:
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  std::string bootstraps_;
};

// An enriched-alert-like JSON value whose annotation carries the marker of `seq`, intended
// 5 ms before now.
std::string marked_alert(std::uint64_t seq) {
  std::string marker;
  append_marker(marker, Marker{seq, now() - std::chrono::milliseconds(5)});
  return R"({"tenant_id":"t1","labels":{"alertname":"Bench"},"annotations":{")" +
         std::string(kMarkerAnnotation) + R"(":")" + marker + R"("}})";
}

template <typename F>
bool poll_until(F&& done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Runs the probe against a fresh mock cluster: messages already in alerts-t1 before the
// start, then, once assigned, marked and unmarked messages into alerts-t1, into alerts-t2
// (a topic created while the probe runs, which the probe must pick up from its start) and
// into "other" (not matching ^alerts-.*: never consumed). Returns once the expected
// messages are counted; checks the counts and the latencies.
void run_probe_scenario(KafkaProbeOptions options) {
  MockKafka kafka;
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
  MockKafka kafka;
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
