// WalForwarder against librdkafka's mock cluster: a logged alert's record is released only
// once Kafka has it; failed reports are retried until the broker returns; what Kafka can
// never take is dead-lettered (record released once the letter is stored); stop() keeps
// what is still pending (no release).
#include "alertgate/kafka/wal_forwarder.hpp"

#include <catch2/catch.hpp>
#include <mutex>
#include <set>

#include "kafka_producer_mock.hpp"

using namespace alertgate;
using namespace alertgate::kafka;
using namespace alertgate::kafka::testing;
using namespace alertgate::testing;
using namespace std::chrono_literals;

namespace {

class CountingReleaser final : public AlertReleaser {
 public:
  void release(const Alert& a) override {
    std::lock_guard lock(mutex_);
    released_.push_back(a.alert_id);
  }
  void delivery_final(const Alert&, std::uint64_t, bool) override {}
  bool already_final(const Alert&, std::uint64_t) const override { return false; }
  std::vector<std::string> released() const {
    std::lock_guard lock(mutex_);
    return released_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> released_;
};

class StoringLetters final : public DeadLetterSink {
 public:
  bool durable = true;
  std::uint64_t add(DeadLetter letter, std::function<void(bool)> stored) override {
    std::size_t id = 0;
    {
      std::lock_guard lock(mutex_);
      letters_.push_back(std::move(letter));
      id = letters_.size();
    }
    stored(durable);
    return id;
  }
  std::vector<DeadLetter> letters() const {
    std::lock_guard lock(mutex_);
    return letters_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<DeadLetter> letters_;
};

std::unique_ptr<Producer> producer_with(const MockKafka& cluster, Properties extra = {}) {
  ProducerSettings s;
  s.properties = std::move(extra);
  s.stop_timeout = 300ms;
  return alertgate::kafka::testing::open_producer(cluster, std::move(s));
}

std::vector<Alert> logged_alerts(const std::string& tenant, int n) {
  std::vector<Alert> out;
  for (int i = 0; i < n; ++i) {
    Alert a = make_alert(tenant, 0x1000 + static_cast<std::uint64_t>(i), i);
    a.wal_segment = 7;  // holds a record
    out.push_back(std::move(a));
  }
  return out;
}

WalForwarderSettings fast_retries() {
  WalForwarderSettings s;
  s.first_backoff = 50ms;
  s.max_backoff = 200ms;
  return s;
}

}  // namespace

TEST_CASE("wal forwarder: a record is released once its alert is in its tenant's topic") {
  MockKafka cluster(1);
  auto producer = producer_with(cluster);
  CountingReleaser releaser;
  StoringLetters letters;
  WalForwarder forwarder(*producer, releaser, letters, fast_retries());
  auto alerts = logged_alerts("acme", 5);
  std::set<std::string> ids;
  for (const Alert& a : alerts) ids.insert(a.alert_id);
  forwarder.forward(alerts);
  REQUIRE(forwarder.drain(std::chrono::steady_clock::now() + 20s));
  const auto released = releaser.released();
  CHECK(std::set<std::string>(released.begin(), released.end()) == ids);
  CHECK(released.size() == 5);  // once each
  CHECK(forwarder.stats().forwarded == 5);
  CHECK(TopicReader(cluster.bootstraps()).read("alerts-acme", 5).size() == 5);
  CHECK(letters.letters().empty());
}

TEST_CASE(
    "wal forwarder: failed reports keep the record and are retried until the broker is back") {
  MockKafka cluster(1);
  auto producer = producer_with(cluster, {{"message.timeout.ms", "300"}});
  CountingReleaser releaser;
  StoringLetters letters;
  WalForwarder forwarder(*producer, releaser, letters, fast_retries());
  // Known to the producer first (metadata), then the broker goes away.
  auto first = logged_alerts("acme", 1);
  forwarder.forward(first);
  REQUIRE(forwarder.drain(std::chrono::steady_clock::now() + 20s));
  cluster.set_all_down(true);
  auto alerts = logged_alerts("acme", 3);
  for (Alert& a : alerts) a.alert_id += "-outage";
  forwarder.forward(alerts);
  REQUIRE(poll_until([&] { return forwarder.stats().retries >= 3; }, 20s));
  CHECK(releaser.released().size() == 1);  // only the one before the outage
  CHECK(forwarder.pending() == 3);
  CHECK_FALSE(forwarder.has_room(100'000 - 2));
  CHECK(forwarder.has_room(100'000 - 3));
  cluster.set_all_down(false);
  REQUIRE(forwarder.drain(std::chrono::steady_clock::now() + 30s));
  CHECK(releaser.released().size() == 4);
  CHECK(letters.letters().empty());
}

TEST_CASE("wal forwarder: what Kafka can never take is dead-lettered, then released") {
  MockKafka cluster(1);
  auto producer = producer_with(cluster, {{"message.max.bytes", "1000"}});
  CountingReleaser releaser;
  StoringLetters letters;
  WalForwarder forwarder(*producer, releaser, letters, fast_retries());
  auto alerts = logged_alerts("acme", 1);
  alerts[0].annotations = {{"description", std::string(5000, 'x')}};
  SECTION("stored: released") {
    forwarder.forward(alerts);
    REQUIRE(forwarder.drain(std::chrono::steady_clock::now() + 10s));
    const auto l = letters.letters();
    REQUIRE(l.size() == 1);
    CHECK(l[0].tenant_id == "acme");
    CHECK(l[0].destination_type == "kafka");
    CHECK_FALSE(l[0].reason.empty());
    REQUIRE(l[0].alerts.size() == 1);
    CHECK(l[0].alerts[0].wal_segment == 0);
    CHECK(releaser.released().size() == 1);
    CHECK(forwarder.stats().dead_lettered == 1);
    CHECK(forwarder.stats().retries == 0);
  }
  SECTION("not stored: the record stays for the next start") {
    letters.durable = false;
    forwarder.forward(alerts);
    REQUIRE(forwarder.drain(std::chrono::steady_clock::now() + 10s));
    CHECK(letters.letters().size() == 1);
    CHECK(releaser.released().empty());
  }
}

TEST_CASE("wal forwarder: stop() keeps what is pending in the log") {
  MockKafka cluster(1);
  auto producer = producer_with(cluster, {{"message.timeout.ms", "300"}});
  CountingReleaser releaser;
  StoringLetters letters;
  WalForwarder forwarder(*producer, releaser, letters, fast_retries());
  cluster.set_all_down(true);
  auto alerts = logged_alerts("acme", 4);
  forwarder.forward(alerts);
  CHECK_FALSE(forwarder.drain(std::chrono::steady_clock::now() + 500ms));
  forwarder.stop();
  producer->stop();  // purges: the late reports only drop their entries
  CHECK(forwarder.pending() == 0);
  CHECK(releaser.released().empty());
  CHECK(letters.letters().empty());
  forwarder.stop();  // idempotent
}
