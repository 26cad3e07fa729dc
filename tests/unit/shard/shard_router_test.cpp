// ShardSet + ShardRouter + TenantDispatcher on a real reactor thread: fairness under a flood,
// group timers on the shard, and policy swaps picked up by the shard.
#include <catch2/catch.hpp>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "alertgate/rating.hpp"
#include "alertgate/shard.hpp"
#include "alertgate/shard_router.hpp"

namespace alertgate {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// Records, per tenant, how many alerts were notified and when the first one came.
struct RecordingNotifier final : Notifier {
  std::mutex mutex;
  std::vector<std::uint64_t> alerts = std::vector<std::uint64_t>(4, 0);
  std::vector<SteadyTime> first = std::vector<SteadyTime>(4);
  std::vector<std::string> last_destination = std::vector<std::string>(4);
  void notify(std::size_t, TenantIndex t, Notification& n, ReactorMetrics&) override {
    std::lock_guard lock(mutex);
    if (alerts[t] == 0) first[t] = std::chrono::steady_clock::now();
    alerts[t] += n.alerts.size();
    if (n.rule != nullptr && !n.rule->destinations.empty()) {
      last_destination[t] = n.rule->destinations.front().path;
    }
  }
  std::uint64_t count(TenantIndex t) {
    std::lock_guard lock(mutex);
    return alerts[t];
  }
};

std::shared_ptr<TenantPolicy> policy(const std::string& id, const std::string& path,
                                     bool grouped = false) {
  auto p = std::make_shared<TenantPolicy>();
  p->tenant_id = id;
  Rule rule;
  Destination d;
  d.type = DestinationType::log;
  d.path = path;
  rule.destinations.push_back(d);
  rule.key = std::hash<std::string>{}(id + path);
  if (grouped) {
    rule.grouping.enabled = true;
    rule.grouping.by = {"alertname"};
    rule.grouping.group_wait = std::chrono::milliseconds(30);
    rule.grouping.group_interval = std::chrono::seconds(1);
  }
  p->rules.push_back(rule);
  p->content_hash = std::hash<std::string>{}(id + path + (grouped ? "g" : ""));
  return p;
}

std::shared_ptr<PolicySnapshot> snapshot(std::uint64_t generation,
                                         std::vector<std::shared_ptr<TenantPolicy>> tenants) {
  auto s = std::make_shared<PolicySnapshot>();
  s->generation = generation;
  for (auto& p : tenants) s->set_tenant(static_cast<TenantIndex>(s->tenants.size()), p);
  return s;
}

Alert make_alert(const std::string& tenant, const std::string& name, Severity sev) {
  Alert a;
  a.labels = {{"alertname", name}};
  a.tenant_id = tenant;
  a.severity = sev;
  a.status = AlertStatus::firing;
  a.fingerprint = fingerprint(a.labels);
  a.starts_at = now();
  a.ends_at = a.starts_at + std::chrono::hours(1);
  return a;
}

// One reactor thread running shard 0 for tenants 0 and 1.
struct Harness {
  explicit Harness(std::shared_ptr<PolicySnapshot> first, std::size_t max_queue = 100'000)
      : holder(first),
        metrics(4, {"other"}, 1, "test"),
        router({&io}, holder, DispatcherSettings{}, notifier, metrics),
        shards({&io}, 4, settings(max_queue), router, metrics) {
    router.set_shards(shards);
    for (std::size_t i = 0; i < first->tenants.size(); ++i) {
      shards.add_tenant(static_cast<TenantIndex>(i), first->tenants[i].policy->tenant_id);
    }
    thread = std::thread([this] { io.run(); });
  }
  ~Harness() {
    work.reset();
    io.stop();
    thread.join();
  }
  static ShardSettings settings(std::size_t max_queue) {
    ShardSettings s;
    s.max_queue_per_tenant = max_queue;
    return s;
  }

  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  SnapshotHolder holder;
  RecordingNotifier notifier;
  Metrics metrics;
  ShardRouter router;
  ShardSet shards;
  std::thread thread;
};

template <typename F>
bool eventually(F&& f, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return f();
}

}  // namespace

TEST_CASE(
    "shard: one tenant's 1,000,000-alert flood does not hold back another's critical "
    "alert (routed within 50 ms)") {
  Harness h(snapshot(1, {policy("flood", ""), policy("calm", "")}), 2'000'000);
  REQUIRE(h.shards.home_shard(0) == h.shards.home_shard(1));  // one shard: the same one
  // A storm of 1,000 distinct alerts, each re-sent 1,000 times: the shard must still look at
  // every one of them (rating history, dedup), which is the work a flood costs.
  constexpr std::size_t kFlood = 1'000'000;
  std::vector<Alert> distinct;
  for (int i = 0; i < 1000; ++i) {
    distinct.push_back(make_alert("flood", "storm-" + std::to_string(i), Severity::warning));
  }
  // Hold the shard while the flood is queued, so all of it is waiting when the critical
  // alert comes (otherwise the shard drains it about as fast as this thread can copy).
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  boost::asio::post(h.io, [released] { released.wait(); });
  std::vector<Alert> chunk;
  for (std::size_t sent = 0; sent < kFlood; sent += 10'000) {
    chunk.clear();
    for (std::size_t k = 0; k < 10'000; ++k) chunk.push_back(distinct[k % distinct.size()]);
    REQUIRE(h.shards.submit(0, chunk) == ShardSet::Submit::ok);
  }
  REQUIRE(h.shards.queue_depth(0) == kFlood);
  release.set_value();

  std::vector<Alert> critical{make_alert("calm", "DatabaseDown", Severity::critical)};
  const auto submitted = std::chrono::steady_clock::now();
  REQUIRE(h.shards.submit(1, critical) == ShardSet::Submit::ok);
  REQUIRE(eventually([&] { return h.notifier.count(1) == 1; }));
  const auto latency = h.notifier.first[1] - submitted;
  const double ms = std::chrono::duration<double, std::milli>(latency).count();
  INFO("critical alert routed after " << ms << " ms, with " << h.shards.queue_depth(0)
                                      << " flood alerts still queued");
  CHECK(latency < std::chrono::milliseconds(50));
  CHECK(h.shards.queue_depth(0) > 0);  // it did not wait for the flood to drain
  REQUIRE(eventually([&] { return h.shards.queue_depth(0) == 0; }, std::chrono::seconds(60)));
}

TEST_CASE("shard: group timers fire on the shard thread after group_wait") {
  Harness h(snapshot(1, {policy("a", "", true), policy("b", "")}));
  std::vector<Alert> batch;
  for (int i = 0; i < 5; ++i) {
    Alert a = make_alert("a", "Grouped", Severity::error);
    a.labels.push_back({"instance", "i" + std::to_string(i)});
    a.fingerprint = fingerprint(a.labels);
    batch.push_back(a);
  }
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(h.shards.submit(0, batch) == ShardSet::Submit::ok);
  REQUIRE(eventually([&] { return h.notifier.count(0) == 5; }));
  CHECK(h.notifier.first[0] - t0 >= std::chrono::milliseconds(30));
}

TEST_CASE("shard: a published snapshot reaches the tenant's dispatcher") {
  Harness h(snapshot(1, {policy("a", "/old"), policy("b", "")}));
  std::vector<Alert> one{make_alert("a", "First", Severity::error)};
  REQUIRE(h.shards.submit(0, one) == ShardSet::Submit::ok);
  REQUIRE(eventually([&] { return h.notifier.count(0) == 1; }));
  h.holder.publish(snapshot(2, {policy("a", "/new"), policy("b", "")}));
  std::vector<Alert> two{make_alert("a", "Second", Severity::error)};
  REQUIRE(h.shards.submit(0, two) == ShardSet::Submit::ok);
  REQUIRE(eventually([&] { return h.notifier.count(0) == 2; }));
  std::lock_guard lock(h.notifier.mutex);
  CHECK(h.notifier.last_destination[0] == "/new");
}

}  // namespace alertgate
