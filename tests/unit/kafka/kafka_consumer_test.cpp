#include "alertgate/kafka/kafka_consumer.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "alertgate/alert_json.hpp"
#include "support/kafka_mock.hpp"

using namespace alertgate;
using namespace alertgate::kafka;
using namespace alertgate::testing;
using namespace std::chrono_literals;

namespace {

using MessageId = std::tuple<std::string, std::int32_t, std::int64_t>;

// The headers a router's producer writes with each alert.
const MockKafka::Headers kAlertHeaders = {{"tenant_id", "header-tenant"}, {"rating", "92"}};

// What a handler received, readable from the test thread. With `auto_done`, the handler
// calls done() at once (from the poll thread), unless `keep(message)` says to hold it.
class Collector {
 public:
  std::function<bool(const ConsumedMessage&)> keep = [](const ConsumedMessage&) { return false; };
  Consumer* consumer = nullptr;  // set before Consumer::start()
  bool auto_done = true;

  Consumer::Handler handler() {
    return [this](ConsumedMessage m) {
      if (auto_done && !keep(m)) consumer->done(m.token);
      std::lock_guard lock(mutex_);
      messages_.push_back(std::move(m));
    };
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return messages_.size();
  }
  std::vector<ConsumedMessage> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::set<MessageId> ids() const {
    std::set<MessageId> out;
    for (const auto& m : messages()) out.emplace(m.topic, m.partition, m.offset);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<ConsumedMessage> messages_;
};

std::unique_ptr<Consumer> open_consumer(MockKafka& kafka, Collector& c,
                                        const std::string& group = "routers",
                                        std::size_t max_in_flight = 10'000) {
  ConsumerSettings s;
  s.brokers = kafka.bootstraps();
  s.group_id = group;
  s.max_in_flight = max_in_flight;
  s.properties["log_level"] = "4";
  // The mock coordinator waits session.timeout.ms - 1 s before answering a JoinGroup of a
  // group a member just left (a real broker answers once the known members rejoined).
  s.properties["session.timeout.ms"] = "3000";
  s.properties["heartbeat.interval.ms"] = "500";
  auto opened = Consumer::open(s, c.handler());
  if (!opened.ok()) FAIL(opened.error().message);
  std::unique_ptr<Consumer> consumer = std::move(opened.value());
  c.consumer = consumer.get();
  consumer->start();
  return consumer;
}

Alert make_alert(const std::string& tenant, int i) {
  Alert a;
  a.labels = {{"alertname", "A" + std::to_string(i)}, {"team", "db"}};
  a.tenant_id = tenant;
  a.fingerprint = 0x1234abcd0000ULL + static_cast<std::uint64_t>(i);
  a.alert_id = "01J" + std::to_string(i);
  a.rating = 50;
  a.received_at = parse_rfc3339("2026-08-20T10:00:00Z").value;
  return a;
}

std::string alert_json(const std::string& tenant, int i) {
  std::string out;
  append_alert_json(out, make_alert(tenant, i));
  return out;
}

}  // namespace

TEST_CASE("kafka consumer: three tenant topics, tenant from the topic, offsets committed",
          "[kafka]") {
  MockKafka kafka;
  for (const char* t : {"alerts-a", "alerts-b", "alerts-c"}) kafka.create_topic(t, 2);
  kafka.create_topic("other", 1);
  for (int i = 0; i < 10; ++i) {
    for (const std::string tenant : {"a", "b", "c"}) {
      kafka.produce("alerts-" + tenant, i % 2, "fp" + std::to_string(i), alert_json(tenant, i),
                    kAlertHeaders);
    }
    kafka.produce("other", 0, "k", "not ours", kAlertHeaders);
  }
  kafka.flush();

  Collector c;
  auto consumer = open_consumer(kafka, c);
  REQUIRE(poll_until([&] { return consumer->assigned(); }));
  REQUIRE(poll_until([&] { return c.size() >= 30; }));

  std::map<std::string, int> per_tenant;
  for (const ConsumedMessage& m : c.messages()) {
    CHECK(m.topic == "alerts-" + m.tenant_id);
    ++per_tenant[m.tenant_id];
    CHECK(m.header("tenant_id") == std::optional<std::string_view>("header-tenant"));
    CHECK(m.header("rating") == std::optional<std::string_view>("92"));
    CHECK_FALSE(m.header("missing").has_value());
    auto alert = m.decode_alert();
    REQUIRE(alert.ok());
    CHECK(alert->tenant_id == m.tenant_id);
    CHECK(m.key == "fp" + alert->alert_id.substr(3));
  }
  CHECK(per_tenant == std::map<std::string, int>{{"a", 10}, {"b", 10}, {"c", 10}});

  // Everything was done at once: every partition's offset gets committed to its end.
  for (const char* t : {"alerts-a", "alerts-b", "alerts-c"}) {
    for (int p = 0; p < 2; ++p) {
      CHECK(poll_until([&] { return kafka.committed("routers", t, p) == 5; }));
    }
  }
  CHECK(poll_until([&] {
    const auto lags = consumer->lag();
    if (lags.size() != 6) return false;
    for (const PartitionLag& l : lags) {
      if (l.lag != 0 || l.committed != 5 || l.high_watermark != 5) return false;
    }
    return true;
  }));
  const ConsumerStats s = consumer->stats();
  CHECK(s.messages == 30);
  CHECK(s.done == 30);
  CHECK(s.assigned_partitions == 6);
  CHECK(s.rebalance_protocol == "COOPERATIVE");  // cooperative-sticky works with the mock
  CHECK(s.commit_errors == 0);
  consumer->stop();
  consumer->stop();  // idempotent
  CHECK_FALSE(consumer->assigned());
}

TEST_CASE("kafka consumer: done() out of order commits only the contiguous prefix", "[kafka]") {
  MockKafka kafka;
  kafka.create_topic("alerts-a", 1);
  for (int i = 0; i < 10; ++i) kafka.produce("alerts-a", 0, "k", alert_json("a", i), kAlertHeaders);
  kafka.flush();

  Collector c;
  c.auto_done = false;
  auto consumer = open_consumer(kafka, c, "g-order");
  REQUIRE(poll_until([&] { return c.size() == 10; }));
  const auto msgs = c.messages();
  for (std::size_t i = 0; i < msgs.size(); ++i)
    REQUIRE(msgs[i].offset == static_cast<std::int64_t>(i));
  auto done = [&](std::initializer_list<int> offsets) {
    for (int o : offsets) consumer->done(msgs[static_cast<std::size_t>(o)].token);  // test thread
  };
  auto committed = [&] { return kafka.committed("g-order", "alerts-a", 0); };

  // The committed offset is the next one to consume: the lowest offset not done.
  done({0, 1, 2, 5, 6});
  REQUIRE(poll_until([&] { return committed() == 3; }));
  done({3});
  REQUIRE(poll_until([&] { return committed() == 4; }));
  done({4});
  REQUIRE(poll_until([&] { return committed() == 7; }));  // 5 and 6 were done already
  done({9, 8});
  const auto commits = consumer->stats().commits;
  REQUIRE(poll_until([&] { return consumer->stats().done == 9; }));
  CHECK(committed() == 7);                      // 7 is not done: nothing past it
  CHECK(consumer->stats().commits == commits);  // and nothing new was due
  done({7});
  REQUIRE(poll_until([&] { return committed() == 10; }));
  done({7});  // twice: ignored
  CHECK(poll_until([&] { return consumer->stats().done == 10; }));
}

TEST_CASE("kafka consumer: messages not done before stop are consumed again (at-least-once)",
          "[kafka]") {
  MockKafka kafka;
  kafka.create_topic("alerts-a", 1);
  for (int i = 0; i < 10; ++i) kafka.produce("alerts-a", 0, "k", alert_json("a", i), kAlertHeaders);
  kafka.flush();

  {
    Collector first;
    first.keep = [](const ConsumedMessage& m) {
      return m.offset == 5 || m.offset == 6 || m.offset >= 8;
    };
    auto consumer = open_consumer(kafka, first, "g-again");
    REQUIRE(poll_until([&] { return first.size() == 10; }));
    REQUIRE(poll_until([&] { return consumer->stats().done == 6; }));
    consumer->stop();  // commits 5 (0..4 done, 5 not), leaves the group
  }
  CHECK(kafka.committed("g-again", "alerts-a", 0) == 5);

  Collector second;
  auto consumer = open_consumer(kafka, second, "g-again");
  REQUIRE(poll_until([&] { return second.size() >= 5; }));
  std::set<std::int64_t> offsets;
  for (const auto& m : second.messages()) offsets.insert(m.offset);
  CHECK(offsets == std::set<std::int64_t>{5, 6, 7, 8, 9});  // 7 was done, but after a hole
  CHECK(poll_until([&] { return kafka.committed("g-again", "alerts-a", 0) == 10; }));
}

TEST_CASE("kafka consumer: two members split the partitions, one stops, the other takes over",
          "[kafka]") {
  MockKafka kafka;
  kafka.create_topic("alerts-a", 4);
  kafka.create_topic("alerts-b", 2);
  const auto produce_round = [&](int round) {
    for (int i = 0; i < 60; ++i) {
      const std::string tenant = i % 3 == 0 ? "b" : "a";
      kafka.produce("alerts-" + tenant, i % (tenant == "a" ? 4 : 2), "k",
                    alert_json(tenant, round * 100 + i), kAlertHeaders);
    }
    kafka.flush();
  };

  Collector one, two;
  one.keep = [](const ConsumedMessage& m) { return m.offset % 3 == 1; };  // left undone
  auto c1 = open_consumer(kafka, one, "g-pair");
  auto c2 = open_consumer(kafka, two, "g-pair");
  REQUIRE(poll_until([&] {
    const auto s1 = c1->stats(), s2 = c2->stats();
    return s1.assigned_partitions > 0 && s2.assigned_partitions > 0 &&
           s1.assigned_partitions + s2.assigned_partitions == 6;
  }));
  produce_round(1);
  REQUIRE(poll_until([&] { return one.size() + two.size() >= 60; }));
  std::set<MessageId> seen_first = one.ids();
  for (const auto& id : two.ids()) seen_first.insert(id);
  CHECK(seen_first.size() == 60);
  std::set<MessageId> undone_by_one;
  for (const auto& m : one.messages()) {
    if (m.offset % 3 == 1) undone_by_one.insert({m.topic, m.partition, m.offset});
  }
  REQUIRE_FALSE(undone_by_one.empty());

  c1->stop();  // its partitions move to c2, which consumes c1's undone messages again
  REQUIRE(poll_until([&] { return c2->stats().assigned_partitions == 6; }));
  produce_round(2);
  REQUIRE(poll_until([&] {
    const auto ids = two.ids();
    std::size_t have = 0;
    for (const auto& id : undone_by_one) have += ids.count(id);
    std::set<MessageId> all = ids;
    for (const auto& id : one.ids()) all.insert(id);
    return have == undone_by_one.size() && all.size() == 120;
  }));
  // Everything was done in the end (c1's undone messages by c2): every partition's offset is
  // committed to its end, though commits may fail while the group rebalances.
  for (int p = 0; p < 4; ++p) {
    CHECK(poll_until([&] { return kafka.committed("g-pair", "alerts-a", p) == 20; }));
  }
  for (int p = 0; p < 2; ++p) {
    CHECK(poll_until([&] { return kafka.committed("g-pair", "alerts-b", p) == 20; }));
  }
}

TEST_CASE(
    "kafka consumer: a revoked partition's undone messages go to the new owner, late "
    "done() is ignored",
    "[kafka]") {
  MockKafka kafka;
  kafka.create_topic("alerts-a", 2);
  for (int i = 0; i < 20; ++i)
    kafka.produce("alerts-a", i % 2, "k", alert_json("a", i), kAlertHeaders);
  kafka.flush();

  Collector one, two;
  one.auto_done = false;  // c1 holds everything
  auto c1 = open_consumer(kafka, one, "g-move");
  REQUIRE(poll_until([&] { return one.size() == 20; }));
  auto c2 = open_consumer(kafka, two, "g-move");  // cooperative: c1 gives up one partition
  REQUIRE(poll_until([&] { return two.size() == 10; }));
  const std::int32_t moved = two.messages().front().partition;
  for (const auto& m : two.messages()) CHECK(m.partition == moved);
  CHECK(c1->stats().assigned_partitions == 1);
  CHECK(c1->stats().revocations >= 1);
  // c2 did everything it got: the moved partition is committed to its end.
  CHECK(poll_until([&] { return kafka.committed("g-move", "alerts-a", moved) == 10; }));

  // c1 finishes everything it was handed: the moved partition's tokens are stale (c2 owns
  // and committed it), the kept partition commits.
  for (const auto& m : one.messages()) c1->done(m.token);
  const bool all_applied =
      poll_until([&] { return c1->stats().done + c1->stats().stale_done == 20; });
  INFO("done " << c1->stats().done << " stale " << c1->stats().stale_done << " messages "
               << c1->stats().messages << " in flight " << c1->stats().in_flight);
  REQUIRE(all_applied);
  CHECK(c1->stats().stale_done == 10);
  const std::int32_t kept = 1 - moved;
  CHECK(poll_until([&] { return kafka.committed("g-move", "alerts-a", kept) == 10; }));
  CHECK(kafka.committed("g-move", "alerts-a", moved) == 10);
}

TEST_CASE("kafka consumer: a malformed value reaches the handler and its done() commits",
          "[kafka]") {
  MockKafka kafka;
  kafka.create_topic("alerts-a", 1);
  kafka.produce("alerts-a", 0, "k", alert_json("a", 1), kAlertHeaders);
  kafka.produce("alerts-a", 0, "k", "{not json", kAlertHeaders);
  kafka.produce("alerts-a", 0, "k", alert_json("b", 2), kAlertHeaders);  // another tenant's alert
  kafka.produce("alerts-a", 0, "k", alert_json("a", 3), kAlertHeaders);
  kafka.flush();

  std::mutex mutex;
  std::vector<std::string> outcomes;
  Consumer* self = nullptr;
  ConsumerSettings s;
  s.brokers = kafka.bootstraps();
  s.group_id = "g-bad";
  s.properties["log_level"] = "4";
  std::vector<MessageToken> tokens;
  auto opened = Consumer::open(s, [&](ConsumedMessage m) {
    auto alert = m.decode_alert();
    std::lock_guard lock(mutex);
    outcomes.push_back(alert.ok() ? "ok" : alert.error().message);
    tokens.push_back(m.token);  // dead-lettered or delivered: final either way
  });
  REQUIRE(opened.ok());
  self = opened.value().get();
  self->start();
  REQUIRE(poll_until([&] {
    std::lock_guard lock(mutex);
    return outcomes.size() == 4;
  }));
  {
    std::lock_guard lock(mutex);
    CHECK(outcomes[0] == "ok");
    CHECK_THAT(outcomes[1], Catch::Contains("invalid JSON"));
    CHECK_THAT(outcomes[2], Catch::Contains("tenant_id \"b\" does not match topic \"alerts-a\""));
    CHECK(outcomes[3] == "ok");
    for (const auto& t : tokens) self->done(t);
  }
  CHECK(poll_until([&] { return kafka.committed("g-bad", "alerts-a", 0) == 4; }));
}

TEST_CASE("kafka consumer: pauses at max_in_flight and resumes without losing a message",
          "[kafka]") {
  MockKafka kafka;
  kafka.create_topic("alerts-a", 2);
  for (int i = 0; i < 100; ++i)
    kafka.produce("alerts-a", i % 2, "k", alert_json("a", i), kAlertHeaders);
  kafka.flush();

  Collector c;
  c.auto_done = false;
  auto consumer = open_consumer(kafka, c, "g-pause", /*max_in_flight=*/10);
  REQUIRE(poll_until([&] { return consumer->stats().paused; }));
  CHECK(c.size() == 10);
  CHECK(consumer->stats().pauses == 1);

  // Done from the test thread, in batches, until everything has arrived.
  std::size_t next = 0;
  REQUIRE(poll_until([&] {
    const auto msgs = c.messages();
    for (; next < msgs.size(); ++next) consumer->done(msgs[next].token);
    return msgs.size() >= 100 && consumer->stats().in_flight == 0;
  }));
  const auto msgs = c.messages();
  CHECK(msgs.size() == 100);  // no message twice
  CHECK(c.ids().size() == 100);
  CHECK(consumer->stats().pauses > 1);
  CHECK(poll_until([&] {
    return kafka.committed("g-pause", "alerts-a", 0) == 50 &&
           kafka.committed("g-pause", "alerts-a", 1) == 50;
  }));
}

TEST_CASE("kafka consumer: one message left undone pauses after max_in_flight more", "[kafka]") {
  MockKafka kafka;
  kafka.create_topic("alerts-a", 1);
  for (int i = 0; i < 30; ++i) kafka.produce("alerts-a", 0, "k", alert_json("a", i), kAlertHeaders);
  kafka.flush();

  Collector c;
  c.keep = [](const ConsumedMessage& m) { return m.offset == 0; };  // stuck at the head
  auto consumer = open_consumer(kafka, c, "g-stuck", /*max_in_flight=*/10);
  REQUIRE(poll_until([&] { return consumer->stats().paused; }));
  ConsumerStats s = consumer->stats();
  CHECK(c.size() == 10);
  CHECK(s.uncommitted == 10);  // 1..9 are done, but behind 0
  CHECK(poll_until([&] { return consumer->stats().in_flight == 1; }));

  consumer->done(c.messages().front().token);
  REQUIRE(poll_until([&] { return c.size() == 30; }));
  CHECK(poll_until([&] { return kafka.committed("g-stuck", "alerts-a", 0) == 30; }));
  CHECK(c.ids().size() == 30);
}

TEST_CASE("kafka consumer: nothing is handed out before start(), stop() without it", "[kafka]") {
  MockKafka kafka;
  kafka.create_topic("alerts-a", 1);
  kafka.produce("alerts-a", 0, "k", alert_json("a", 1), kAlertHeaders);
  kafka.flush();
  int calls = 0;
  ConsumerSettings s;
  s.brokers = kafka.bootstraps();
  s.group_id = "g-unstarted";
  s.properties["log_level"] = "4";
  auto opened = Consumer::open(s, [&](ConsumedMessage) { ++calls; });
  REQUIRE(opened.ok());
  Consumer& consumer = *opened.value();
  consumer.stop();
  consumer.start();  // after stop(): nothing
  consumer.stop();
  CHECK(calls == 0);
  CHECK_FALSE(consumer.assigned());
  CHECK(consumer.stats().messages == 0);
}

TEST_CASE("kafka consumer: open() refuses bad settings, naming them", "[kafka]") {
  auto handler = [](ConsumedMessage) {};
  ConsumerSettings s;
  CHECK_THAT(Consumer::open(s, handler).error().message, Catch::Contains("kafka.brokers"));
  s.brokers = "127.0.0.1:1";
  s.properties["enable.auto.commit"] = "true";
  CHECK_THAT(Consumer::open(s, handler).error().message,
             Catch::Contains("kafka.properties.enable.auto.commit: not allowed"));
  s.properties = {{"no.such.property", "1"}};
  CHECK_THAT(Consumer::open(s, handler).error().message,
             Catch::Contains("kafka.properties.no.such.property"));
  s.properties.clear();
  s.topic_pattern = "alerts";
  CHECK_THAT(Consumer::open(s, handler).error().message, Catch::Contains("{tenant_id}"));
  s.topic_pattern = "alerts-{tenant_id}";
  s.max_in_flight = 0;
  CHECK_THAT(Consumer::open(s, handler).error().message, Catch::Contains("max_in_flight"));
  s.max_in_flight = 1;
  CHECK_THAT(Consumer::open(s, nullptr).error().message, Catch::Contains("handler"));
}
