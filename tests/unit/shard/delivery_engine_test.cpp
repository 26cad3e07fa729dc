// DeliveryEngine on a real io_context against tests/support/sink_server.py: natural
// batching, retries into the dead-letter store, and the shard's in-flight bound.
#include "alertgate/delivery_engine.hpp"

#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "alertgate/wal/dead_letter_store.hpp"
#include "support/python_server.hpp"
#include "support/recording_releaser.hpp"

namespace alertgate {
namespace {

using testing::PythonServer;
using namespace std::chrono_literals;

std::unique_ptr<wal::DeadLetterStore> memory_store() {
  auto s = wal::DeadLetterStore::open({});
  REQUIRE(s.ok());
  return std::move(s).value();
}

struct Rig {
  explicit Rig(DeliverySettings settings = {})
      : store_owner(memory_store()),
        store(*store_owner),
        metrics(1, {"other"}, 1, "test"),
        engine({&io}, settings, store, metrics) {
    metrics.add_tenant(0, "acme");
  }
  std::vector<DeadLetter> letters(const std::string& tenant) {
    std::vector<DeadLetter> out;
    for (auto& l : store.list({tenant, {}, 0}, 100)) out.push_back(std::move(l.letter));
    return out;
  }
  // Runs the reactor until nothing is pending (or 10 s pass).
  void drain() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (engine.pending(0) != 0 && std::chrono::steady_clock::now() < deadline) {
      io.run_for(20ms);
      io.restart();
    }
  }
  boost::asio::io_context io{1};
  std::unique_ptr<wal::DeadLetterStore> store_owner;
  wal::DeadLetterStore& store;
  Metrics metrics;
  DeliveryEngine engine;
};

std::shared_ptr<TenantPolicy> webhook_policy(const std::vector<std::string>& urls,
                                             std::uint32_t max_in_flight = 4) {
  auto p = std::make_shared<TenantPolicy>();
  p->tenant_id = "acme";
  Rule rule;
  for (const auto& url : urls) {
    Destination d;
    d.type = DestinationType::webhook;
    d.url = url;
    d.delivery = default_delivery(DestinationType::webhook);
    d.delivery.max_in_flight = max_in_flight;
    d.delivery.retry_base = 10ms;
    d.delivery.retry_cap = 20ms;
    d.delivery.max_attempts = 3;
    rule.destinations.push_back(d);
  }
  p->rules.push_back(rule);
  assign_destination_identities(*p);
  return p;
}

Notification notification(const std::shared_ptr<TenantPolicy>& p, const std::string& name) {
  Notification n;
  n.policy = p;
  n.rule = &p->rules.front();
  Alert a;
  a.labels = {{"alertname", name}};
  a.tenant_id = "acme";
  a.starts_at = now();
  a.ends_at = a.starts_at + 1h;
  n.alerts.push_back(a);
  n.firing = 1;
  n.at = now();
  return n;
}

std::size_t count(const std::string& json, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = json.find(needle); at != std::string::npos; at = json.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("delivery: notifications queued behind a request go together in the next one") {
  PythonServer sink("sink_server.py",
                    {"--script", R"([{"status":200,"body":"ok","delay_ms":200}])"});
  Rig rig;
  auto p = webhook_policy({sink.url("/hook")}, 1);
  // The first notification goes out alone; the 9 made while it is in flight (the sink
  // answers after 200 ms) wait, then go together.
  auto first = notification(p, "Batch0");
  rig.engine.notify(0, 0, first, rig.metrics.reactor(0));
  rig.io.run_for(50ms);
  rig.io.restart();
  for (int i = 1; i < 10; ++i) {
    auto n = notification(p, "Batch" + std::to_string(i));
    rig.engine.notify(0, 0, n, rig.metrics.reactor(0));
  }
  rig.drain();
  const std::string requests = testing::blocking_http(sink.port(), "GET", "/_requests", "");
  CHECK(count(requests, "\"path\": \"/hook\"") == 2);  // the first alone, then the other 9
  for (int i = 0; i < 10; ++i) {                       // every alert went out
    CHECK(count(requests, "Batch" + std::to_string(i)) >= 1);
  }
  CHECK(rig.store.stats().added == 0);
}

TEST_CASE("delivery: notifications of one reactor turn leave in one request") {
  PythonServer sink("sink_server.py", {});
  Rig rig;
  auto p = webhook_policy({sink.url("/hook")});  // 4 in flight allowed: batching is not forced
  for (int i = 0; i < 10; ++i) {
    auto n = notification(p, "Turn" + std::to_string(i));
    rig.engine.notify(0, 0, n, rig.metrics.reactor(0));
  }
  rig.drain();
  const std::string requests = testing::blocking_http(sink.port(), "GET", "/_requests", "");
  CHECK(count(requests, "\"path\": \"/hook\"") == 1);
  for (int i = 0; i < 10; ++i) CHECK(count(requests, "Turn" + std::to_string(i)) >= 1);
  CHECK(rig.store.stats().added == 0);
}

TEST_CASE("delivery: retries use up max_attempts, then the dead-letter store") {
  PythonServer sink("sink_server.py",
                    {"--script", R"({"responses":[],"default":{"status":500,"body":"down"}})"});
  Rig rig;
  auto p = webhook_policy({sink.url("/hook")});
  auto n = notification(p, "Doomed");
  rig.engine.notify(0, 0, n, rig.metrics.reactor(0));
  rig.drain();
  const auto letters = rig.letters("acme");
  REQUIRE(letters.size() == 1);
  CHECK(letters[0].attempts == 3);
  CHECK(letters[0].reason == "HTTP 500: down (after 3 attempts)");
  REQUIRE(letters[0].alerts.size() == 1);
  CHECK(*find_label(letters[0].alerts[0].labels, "alertname") == "Doomed");
  CHECK(letters[0].destination_type == "webhook");
  CHECK(letters[0].destination_key == destination_identity(p->rules[0].destinations[0]));
  CHECK(letters[0].rule_key == p->rules[0].key);
  const auto& cells = rig.metrics.reactor(0).tenant(0);
  const auto webhook = static_cast<std::size_t>(DestinationType::webhook);
  CHECK(cells.notifications[webhook][static_cast<std::size_t>(NotifyOutcome::retry)].get() == 3);
  CHECK(cells.dead_letters[webhook].get() == 1);
}

TEST_CASE("delivery: the shard's in-flight bound holds other destinations back") {
  PythonServer sink(
      "sink_server.py",
      {"--script", R"({"responses":[],"default":{"status":200,"body":"ok","delay_ms":150}})"});
  DeliverySettings settings;
  settings.max_in_flight_per_shard = 1;
  Rig rig(settings);
  auto p = webhook_policy({sink.url("/a"), sink.url("/b"), sink.url("/c")});
  auto n = notification(p, "Bounded");
  rig.engine.notify(0, 0, n, rig.metrics.reactor(0));
  rig.drain();
  const std::string requests = testing::blocking_http(sink.port(), "GET", "/_requests", "");
  CHECK(count(requests, "\"path\": \"/") == 3);
  // One at a time: each request arrived after the previous answer (150 ms apart at least).
  std::vector<double> times;
  for (auto at = requests.find("\"time\": "); at != std::string::npos;
       at = requests.find("\"time\": ", at + 1)) {
    times.push_back(std::stod(requests.substr(at + 8)));
  }
  REQUIRE(times.size() == 3);
  std::sort(times.begin(), times.end());
  CHECK(times[1] - times[0] >= 0.14);
  CHECK(times[2] - times[1] >= 0.14);
}

}  // namespace alertgate

namespace alertgate {

using testing::RecordingReleaser;

TEST_CASE("delivery: a notification's log records are released once its deliveries are final") {
  // Two destinations: one answers 200, the other fails for good (400 -> dead letter).
  PythonServer ok("sink_server.py", {});
  PythonServer bad("sink_server.py",
                   {"--script", R"({"responses":[],"default":{"status":400,"body":"no"}})"});
  RecordingReleaser releaser;
  DeliverySettings settings;
  settings.releaser = &releaser;
  Rig rig(settings);
  auto p = webhook_policy({ok.url("/hook"), bad.url("/hook")});
  auto n = notification(p, "Logged");
  n.alerts[0].wal_segment = 42;
  rig.engine.notify(0, 0, n, rig.metrics.reactor(0));
  CHECK(releaser.released.empty());  // nothing is final before the reactor runs
  rig.drain();
  // The dead letter is written on the store's thread; the records go once it is stored.
  rig.store.stop();
  CHECK(releaser.released == std::vector<std::uint64_t>{42});
  CHECK(rig.store.stats().added == 1);
  // Two destinations: each one's final outcome is recorded for the replay.
  REQUIRE(releaser.finals.size() == 2);
  const std::uint64_t ok_id = destination_identity(p->rules[0].destinations[0]);
  const std::uint64_t bad_id = destination_identity(p->rules[0].destinations[1]);
  CHECK(((releaser.finals[0].destination == ok_id && releaser.finals[0].delivered &&
          releaser.finals[1].destination == bad_id && !releaser.finals[1].delivered) ||
         (releaser.finals[1].destination == ok_id && releaser.finals[1].delivered &&
          releaser.finals[0].destination == bad_id && !releaser.finals[0].delivered)));

  // A notification without a rule has nothing to deliver: released at once.
  Notification orphan = notification(p, "NoRule");
  orphan.rule = nullptr;
  orphan.alerts[0].wal_segment = 43;
  rig.engine.notify(0, 0, orphan, rig.metrics.reactor(0));
  CHECK(releaser.released == std::vector<std::uint64_t>{42, 43});

  // A dead letter that cannot be stored (here: the store is stopped) keeps the records:
  // the next start delivers those alerts again instead of losing them.
  auto lost = notification(webhook_policy({bad.url("/hook")}), "NotStored");
  lost.alerts[0].wal_segment = 44;
  rig.engine.notify(0, 0, lost, rig.metrics.reactor(0));
  rig.drain();
  CHECK(rig.store.stats().write_errors == 1);
  CHECK(releaser.released == std::vector<std::uint64_t>{42, 43});
}

TEST_CASE("delivery: a replayed dead letter goes to its destination alone, done says final") {
  PythonServer ok("sink_server.py", {});
  PythonServer bad("sink_server.py",
                   {"--script", R"({"responses":[],"default":{"status":400,"body":"no"}})"});
  Rig rig;
  auto p = webhook_policy({ok.url("/hook"), bad.url("/hook")});
  std::vector<bool> results;
  auto n = notification(p, "Replayed");
  rig.engine.redeliver(0, 0, n, p->rules[0].destinations[0],
                       [&](bool finished) { results.push_back(finished); });
  rig.drain();
  REQUIRE(results == std::vector<bool>{true});
  CHECK(count(testing::blocking_http(ok.port(), "GET", "/_requests", ""), "Replayed") > 0);
  CHECK(count(testing::blocking_http(bad.port(), "GET", "/_requests", ""), "Replayed") == 0);

  // Failing again: a new letter, and done(true) once it is stored.
  std::atomic<int> again{-1};
  rig.engine.redeliver(0, 0, notification(p, "Again"), p->rules[0].destinations[1],
                       [&](bool finished) { again = finished ? 1 : 0; });
  rig.drain();
  rig.store.stop();
  CHECK(again == 1);
  CHECK(rig.letters("acme").size() == 1);

  // Abandoned at shutdown: done(false), the letter stays for a later replay.
  std::vector<bool> cut;
  PythonServer slow("sink_server.py",
                    {"--script", R"([{"status":200,"body":"ok","delay_ms":5000}])"});
  auto q = webhook_policy({slow.url("/hook")});
  rig.engine.redeliver(0, 0, notification(q, "Slow"), q->rules[0].destinations[0],
                       [&](bool finished) { cut.push_back(finished); });
  rig.io.run_for(100ms);
  rig.engine.stop(0);
  rig.io.run_for(100ms);
  CHECK(cut == std::vector<bool>{false});
}

TEST_CASE("delivery: after a restart only the destinations not finished before are redone") {
  PythonServer first("sink_server.py", {});
  PythonServer second("sink_server.py", {});
  RecordingReleaser releaser;
  DeliverySettings settings;
  settings.releaser = &releaser;
  Rig rig(settings);
  auto p = webhook_policy({first.url("/hook"), second.url("/hook")});
  // The previous process delivered "Replayed" to the first destination, then crashed.
  auto n = notification(p, "Replayed");
  n.alerts[0].alert_id = "01REPLAYED";
  n.alerts[0].wal_segment = 7;
  releaser.done_before.push_back(
      {"01REPLAYED", destination_identity(p->rules[0].destinations[0]), true});
  rig.engine.notify(0, 0, n, rig.metrics.reactor(0));
  rig.drain();
  CHECK(count(testing::blocking_http(first.port(), "GET", "/_requests", ""), "Replayed") == 0);
  CHECK(count(testing::blocking_http(second.port(), "GET", "/_requests", ""), "Replayed") > 0);
  CHECK(releaser.released == std::vector<std::uint64_t>{7});

  // An alert logged by this process (no earlier outcome) goes to both.
  auto fresh = notification(p, "Fresh");
  fresh.alerts[0].alert_id = "01FRESH";
  fresh.alerts[0].wal_segment = 8;
  rig.engine.notify(0, 0, fresh, rig.metrics.reactor(0));
  rig.drain();
  CHECK(count(testing::blocking_http(first.port(), "GET", "/_requests", ""), "Fresh") > 0);
  CHECK(count(testing::blocking_http(second.port(), "GET", "/_requests", ""), "Fresh") > 0);
}

}  // namespace alertgate

namespace alertgate {
namespace {

// An AsyncSink that answers from another thread with scripted outcomes.
struct ScriptedKafka final : AsyncSink {
  std::vector<NotifyOutcome> script;            // one per deliver(); then delivered
  std::vector<std::vector<std::string>> calls;  // alertnames per deliver()
  std::vector<std::string> topics;
  std::vector<std::thread> threads;
  std::mutex mutex;
  ~ScriptedKafka() override {
    for (auto& t : threads) t.join();
  }
  void deliver(std::span<const Alert> alerts, std::string_view topic,
               std::function<void(SinkResult)> done) override {
    std::lock_guard lock(mutex);
    std::vector<std::string> names;
    for (const Alert& a : alerts) names.push_back(*find_label(a.labels, "alertname"));
    calls.push_back(std::move(names));
    topics.emplace_back(topic);
    SinkResult r;
    if (calls.size() <= script.size()) r.outcome = script[calls.size() - 1];
    if (r.outcome != NotifyOutcome::delivered) r.reason = "kafka: scripted";
    threads.emplace_back([done = std::move(done), r] { done(r); });
  }
};

std::shared_ptr<TenantPolicy> kafka_policy(std::string topic = {}) {
  auto p = webhook_policy({});
  Destination d;
  d.type = DestinationType::kafka;
  d.topic = std::move(topic);
  d.delivery = default_delivery(DestinationType::kafka);
  d.delivery.retry_base = 10ms;
  d.delivery.retry_cap = 20ms;
  d.delivery.max_attempts = 2;
  p->rules[0].destinations.push_back(d);
  assign_destination_identities(*p);
  return p;
}

}  // namespace

TEST_CASE("delivery: kafka destinations go through the async sink with retries and dead letters") {
  ScriptedKafka kafka;
  kafka.script = {NotifyOutcome::retry};  // the first attempt fails, the retry succeeds
  DeliverySettings settings;
  settings.kafka = &kafka;
  Rig rig(settings);
  auto p = kafka_policy("alerts-acme.audit");
  auto n = notification(p, "ToKafka");
  rig.engine.notify(0, 0, n, rig.metrics.reactor(0));
  rig.drain();
  REQUIRE(kafka.calls.size() == 2);
  CHECK(kafka.calls[1] == std::vector<std::string>{"ToKafka"});
  CHECK(kafka.topics[0] == "alerts-acme.audit");
  CHECK(rig.letters("acme").empty());

  // Refused for good: a dead letter with the sink's reason, at once.
  kafka.script.assign(kafka.calls.size(), NotifyOutcome::delivered);
  kafka.script.push_back(NotifyOutcome::failed);
  auto refused = notification(p, "Refused");
  rig.engine.notify(0, 0, refused, rig.metrics.reactor(0));
  rig.drain();
  const auto letters = rig.letters("acme");
  REQUIRE(letters.size() == 1);
  CHECK(letters[0].reason == "kafka: scripted");
  CHECK(letters[0].destination_type == "kafka");
}

TEST_CASE("delivery: without kafka.brokers a kafka destination dead-letters saying so") {
  Rig rig;
  auto p = kafka_policy();
  auto n = notification(p, "NoBroker");
  rig.engine.notify(0, 0, n, rig.metrics.reactor(0));
  rig.drain();
  const auto letters = rig.letters("acme");
  REQUIRE(letters.size() == 1);
  CHECK(letters[0].reason.find("no kafka.brokers in the main config") != std::string::npos);
}

}  // namespace alertgate
