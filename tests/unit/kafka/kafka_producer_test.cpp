#include "alertgate/kafka/kafka_producer.hpp"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <vector>

#include "alertgate/rating.hpp"
#include "kafka_producer_mock.hpp"

using namespace alertgate;
using namespace alertgate::kafka;
using namespace alertgate::kafka::testing;
using namespace std::chrono_literals;

namespace {

// Collects reports from the poll thread (or the caller's, for immediate failures).
class Reports {
 public:
  DeliveryDone add() {
    return [this](const DeliveryReport& r) {
      std::lock_guard lock(mutex_);
      all_.push_back(r);
    };
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return all_.size();
  }
  std::size_t delivered() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& r : all_) n += r.delivered ? 1 : 0;
    return n;
  }
  std::vector<DeliveryReport> all() const {
    std::lock_guard lock(mutex_);
    return all_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<DeliveryReport> all_;
};

}  // namespace

TEST_CASE(
    "kafka producer: alerts of 3 tenants land in exactly their topics with key, value "
    "and headers",
    "[kafka]") {
  MockKafka cluster(3);
  Reports reports;  // before the producer: it outlives every report
  std::vector<std::size_t> batch_indexes;
  std::mutex batch_mutex;
  auto producer = open_producer(cluster);
  const std::vector<std::string> tenants = {"t-a", "t-b", "t-c"};
  std::vector<Alert> alerts;
  for (int i = 0; i < 12; ++i) {
    alerts.push_back(make_alert(tenants[static_cast<std::size_t>(i) % 3],
                                0xc1f2e3d4a5b6c700ULL + static_cast<std::uint64_t>(i), i));
  }
  // Half one by one, half as a batch.
  for (std::size_t i = 0; i < 6; ++i) producer->produce(alerts[i], reports.add());
  producer->produce(std::span<const Alert>(alerts).subspan(6),
                    [&](std::size_t index, const DeliveryReport& r) {
                      std::lock_guard lock(batch_mutex);
                      batch_indexes.push_back(index);
                      reports.add()(r);
                    });
  REQUIRE(poll_until([&] { return reports.size() == alerts.size(); }, 20s));
  for (const auto& r : reports.all()) {
    CHECK(r.delivered);
    CHECK(r.reason.empty());
    CHECK(r.partition >= 0);
    CHECK(r.offset >= 0);
  }
  std::sort(batch_indexes.begin(), batch_indexes.end());
  CHECK(batch_indexes == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});
  const ProducerStats stats = producer->stats();
  CHECK(stats.produced == 12);
  CHECK(stats.delivered == 12);
  CHECK(stats.failed == 0);
  CHECK(stats.in_flight == 0);

  TopicReader reader(cluster.bootstraps());
  std::set<std::string> alert_topics;
  for (const auto& [topic, partitions] : reader.topics()) {
    if (topic.rfind("alerts-", 0) == 0) alert_topics.insert(topic);
  }
  CHECK(alert_topics == std::set<std::string>{"alerts-t-a", "alerts-t-b", "alerts-t-c"});

  simdjson::dom::parser parser;
  for (std::size_t t = 0; t < tenants.size(); ++t) {
    const auto records = reader.read("alerts-" + tenants[t], 4);
    REQUIRE(records.size() == 4);
    std::set<std::string> keys;
    for (const auto& rec : records) {
      // Find the alert by its key: 16 lowercase hex digits of the fingerprint.
      const Alert* sent = nullptr;
      for (const auto& a : alerts) {
        if (fingerprint_hex(a.fingerprint) == rec.key) sent = &a;
      }
      INFO("key " << rec.key);
      REQUIRE(sent != nullptr);
      keys.insert(rec.key);
      CHECK(sent->tenant_id == tenants[t]);
      simdjson::dom::element doc;
      REQUIRE(parser.parse(rec.value).get(doc) == simdjson::SUCCESS);
      CHECK(std::string_view(doc["tenant_id"]) == tenants[t]);
      CHECK(std::string_view(doc["fingerprint"]) == rec.key);
      CHECK(std::string_view(doc["alert_id"]) == sent->alert_id);
      CHECK(std::string_view(doc["severity"]) == "critical");
      CHECK(int64_t(doc["rating"]) == sent->rating);
      CHECK(std::string_view(doc["labels"]["alertname"]) == "HighCPU");
      CHECK(rec.headers ==
            std::map<std::string, std::string>{{"traceparent", sent->trace},
                                               {"tenant_id", tenants[t]},
                                               {"severity", "critical"},
                                               {"rating", std::to_string(sent->rating)},
                                               {"alert_id", sent->alert_id}});
    }
    CHECK(keys.size() == 4);
  }
  producer->stop();
  producer->stop();  // idempotent
  Reports late;
  producer->produce(alerts[0], late.add());
  REQUIRE(late.size() == 1);
  CHECK_FALSE(late.all()[0].delivered);
  CHECK(late.all()[0].retriable);
  CHECK(late.all()[0].reason == "stopped");
}

TEST_CASE("kafka producer: open refuses bad settings with a message naming them", "[kafka]") {
  auto refused = [](ProducerSettings s) {
    if (s.brokers.empty()) s.brokers = "127.0.0.1:9";
    auto p = Producer::open(std::move(s));
    REQUIRE_FALSE(p.ok());
    return p.error().message;
  };
  ProducerSettings unknown;
  unknown.properties = {{"lingr.ms", "5"}};
  CHECK(refused(unknown).rfind("kafka.properties.lingr.ms:", 0) == 0);
  ProducerSettings invalid;
  invalid.properties = {{"compression.type", "brotli"}};
  CHECK(refused(invalid).rfind("kafka.properties.compression.type:", 0) == 0);
  ProducerSettings bootstrap;
  bootstrap.properties = {{"bootstrap.servers", "127.0.0.1:1"}};
  CHECK(refused(bootstrap).rfind("kafka.properties.bootstrap.servers:", 0) == 0);
  ProducerSettings pattern;
  pattern.topic_pattern = "alerts";
  CHECK(refused(pattern).rfind("kafka.topic_pattern:", 0) == 0);
  ProducerSettings partitions;
  partitions.create_topics = TopicProvisioning{0, 2, {}};
  CHECK(refused(partitions).rfind("kafka.create_topics.partitions:", 0) == 0);
  CHECK_FALSE(Producer::open(ProducerSettings{}).ok());  // no brokers

  // The defaults themselves are valid librdkafka properties, and idempotent with acks=all.
  CHECK(make_conf(Producer::default_properties(), {}).ok());
  CHECK(Producer::default_properties().at("enable.idempotence") == "true");
  CHECK(Producer::default_properties().at("acks") == "all");
}

TEST_CASE("kafka producer: an invalid tenant topic is refused without producing", "[kafka]") {
  MockKafka cluster(1);
  Reports reports;
  auto producer = open_producer(cluster);
  producer->produce(make_alert("a/b", 1, 1), reports.add());
  producer->produce(make_alert("", 2, 2), reports.add());
  REQUIRE(reports.size() == 2);  // at once, on this thread
  for (const auto& r : reports.all()) {
    CHECK_FALSE(r.delivered);
    CHECK_FALSE(r.retriable);
    CHECK(r.reason.find("topic") != std::string::npos);
  }
  const ProducerStats stats = producer->stats();
  CHECK(stats.produced == 0);
  CHECK(stats.failed == 2);
  CHECK(stats.queue_depth == 0);

  // A destination's own topic: the tenant's, or below it after '.'; never another's.
  Reports own;
  producer->produce_to("alerts-acme2", make_alert("acme", 3, 3), own.add());
  producer->produce_to("alerts-acmeX", make_alert("acme", 4, 4), own.add());
  producer->produce_to("other", make_alert("acme", 5, 5), own.add());
  REQUIRE(own.size() == 3);
  for (const auto& r : own.all()) {
    CHECK_FALSE(r.delivered);
    CHECK_FALSE(r.retriable);
    CHECK(r.reason.find("is not one of tenant acme's") != std::string::npos);
  }
  producer->produce_to("alerts-acme.audit", make_alert("acme", 6, 6), own.add());
  REQUIRE(poll_until([&] { return own.size() == 4; }, std::chrono::seconds(20)));
  CHECK(own.all().back().delivered);
}

TEST_CASE("kafka producer: brokers down -> unhealthy, reports wait, back up -> all delivered",
          "[kafka]") {
  MockKafka cluster(3);
  Reports reports;
  auto producer = open_producer(cluster);
  REQUIRE(poll_until([&] { return producer->healthy(); }, 20s));
  std::vector<Alert> alerts;
  for (int i = 0; i < 60; ++i) {
    alerts.push_back(make_alert("t-down", 0xd000 + static_cast<std::uint64_t>(i), i));
  }
  for (int i = 0; i < 10; ++i)
    producer->produce(alerts[static_cast<std::size_t>(i)], reports.add());
  REQUIRE(producer->flush(20s));
  REQUIRE(reports.delivered() == 10);

  cluster.set_all_down(true);
  REQUIRE(poll_until([&] { return !producer->healthy(); }, 20s));
  for (std::size_t i = 10; i < alerts.size(); ++i) producer->produce(alerts[i], reports.add());
  CHECK_FALSE(producer->flush(500ms));  // nothing can be delivered, nothing fails
  CHECK(reports.size() == 10);
  CHECK(producer->stats().in_flight == 50);
  CHECK_FALSE(producer->healthy());

  cluster.set_all_down(false);
  REQUIRE(poll_until([&] { return reports.size() == alerts.size(); }, 30s));
  CHECK(reports.delivered() == alerts.size());
  REQUIRE(poll_until([&] { return producer->healthy(); }, 20s));
  const ProducerStats stats = producer->stats();
  CHECK(stats.delivered == alerts.size());
  CHECK(stats.failed == 0);
  CHECK(stats.in_flight == 0);

  // None lost, none duplicated (idempotence): each key exactly once in the topic.
  TopicReader reader(cluster.bootstraps());
  const auto records = reader.read("alerts-t-down", alerts.size());
  std::multiset<std::string> keys;
  for (const auto& r : records) keys.insert(r.key);
  CHECK(records.size() == alerts.size());
  for (const auto& a : alerts) CHECK(keys.count(fingerprint_hex(a.fingerprint)) == 1);
}

TEST_CASE(
    "kafka producer: a full local queue answers at once, stop with brokers down purges "
    "within its bound",
    "[kafka]") {
  MockKafka cluster(1);
  Reports reports;
  ProducerSettings settings;
  settings.stop_timeout = 300ms;
  settings.properties["queue.buffering.max.messages"] = "5";
  auto producer = open_producer(cluster, settings);
  REQUIRE(poll_until([&] { return producer->healthy(); }, 20s));
  cluster.set_all_down(true);
  REQUIRE(poll_until([&] { return !producer->healthy(); }, 20s));
  for (int i = 0; i < 8; ++i) producer->produce(make_alert("t-stop", 0xf000 + i, i), reports.add());
  REQUIRE(reports.size() == 3);  // at once, on this thread
  for (const auto& r : reports.all()) {
    CHECK_FALSE(r.delivered);
    CHECK(r.retriable);
    CHECK(r.reason == "queue full");
  }
  CHECK(producer->stats().in_flight == 5);
  CHECK(producer->stats().failed == 3);

  const auto started = std::chrono::steady_clock::now();
  producer->stop();
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  REQUIRE(reports.size() == 8);  // every done() ran before stop() returned
  for (const auto& r : reports.all()) {
    CHECK_FALSE(r.delivered);
    CHECK(r.retriable);
  }
  CHECK(reports.all().back().reason == "stopped");
  CHECK(producer->stats().in_flight == 0);
  CHECK(producer->stats().failed == 8);
  CHECK_FALSE(producer->healthy());
}

// librdkafka 2.0.2's mock cluster has no CreateTopics (its metadata names controller 0, which
// does not exist, so the Admin request times out): the partition count of a created topic
// cannot be checked here. What is checked: one Admin request per topic however many alerts,
// the first messages wait for its answer, a failed answer is counted and releases them in
// order, and nothing is lost.
TEST_CASE(
    "kafka producer: create_topics asks once per topic and holds its first messages "
    "until the answer",
    "[kafka]") {
  MockKafka cluster(3);
  Reports reports;
  ProducerSettings settings;
  settings.create_topics = TopicProvisioning{5, 2, {{"cleanup.policy", "compact"}}, 1000ms};
  auto producer = open_producer(cluster, settings);
  std::vector<Alert> alerts;
  for (int i = 0; i < 20; ++i) {
    alerts.push_back(make_alert("prov", 0xe000 + static_cast<std::uint64_t>(i), i));
  }
  for (const auto& a : alerts) producer->produce(a, reports.add());
  CHECK(producer->stats().in_flight == 20);
  CHECK(producer->stats().queue_depth == 0);  // held here, not yet in librdkafka
  REQUIRE(poll_until([&] { return producer->stats().topic_create_errors == 1; }, 20s));
  REQUIRE(poll_until([&] { return reports.size() == 20; }, 30s));
  CHECK(reports.delivered() == 20);
  const ProducerStats stats = producer->stats();
  CHECK(stats.topics_created == 0);
  CHECK(stats.topic_create_errors == 1);  // once for the topic, not per alert
  // Released in order: one partition per key, so compare the offsets per partition.
  TopicReader reader(cluster.bootstraps());
  const auto records = reader.read("alerts-prov", alerts.size());
  CHECK(records.size() == alerts.size());
  std::map<std::int32_t, std::vector<std::string>> by_partition;
  for (const auto& r : records) by_partition[r.partition].push_back(r.key);
  for (const auto& [partition, keys] : by_partition) {
    CHECK(std::is_sorted(keys.begin(), keys.end()));  // fingerprints were produced ascending
  }
}

TEST_CASE("kafka producer: create_topics settings are checked at open", "[kafka]") {
  auto message = [](TopicProvisioning p) {
    ProducerSettings s;
    s.brokers = "127.0.0.1:9";
    s.create_topics = std::move(p);
    auto producer = Producer::open(std::move(s));
    REQUIRE_FALSE(producer.ok());
    return producer.error().message;
  };
  CHECK(message(TopicProvisioning{3, 0, {}}).rfind("kafka.create_topics.replication_factor:", 0) ==
        0);
  CHECK(message(TopicProvisioning{3, 2, {}, 10ms}).rfind("kafka.create_topics.timeout:", 0) == 0);
  CHECK(message(TopicProvisioning{3, 2, {{"", "x"}}}).rfind("kafka.create_topics.config", 0) == 0);
}
