#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <set>

#include "alertgate/shard.hpp"

using namespace alertgate;

namespace {

struct RecordingDeliverer final : Deliverer {
  std::vector<std::pair<TenantIndex, std::string>> seen;  // (tenant, alertname) in order
  void deliver(std::size_t, TenantIndex t, std::span<Alert> batch, ReactorMetrics&) override {
    for (auto& a : batch) seen.emplace_back(t, a.labels.front().value);
  }
};

std::vector<Alert> alerts(const std::string& prefix, int n) {
  std::vector<Alert> out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    out[static_cast<std::size_t>(i)].labels = {{"alertname", prefix + std::to_string(i)}};
  return out;
}

// Tenants 0..n-1 named by `ids`; runs the io_context until their shard lists hold them.
void add_tenants(ShardSet& shards, boost::asio::io_context& io, std::vector<std::string> ids) {
  for (std::size_t i = 0; i < ids.size(); ++i)
    shards.add_tenant(static_cast<TenantIndex>(i), ids[i]);
  io.poll();
  io.restart();
}

}  // namespace

TEST_CASE("shard: home shard is a stable hash of the tenant id", "[shard]") {
  CHECK(home_shard_of("t-1024", 1) == 0);
  CHECK(home_shard_of("t-1024", 4) == home_shard_of("t-1024", 4));
  std::set<std::size_t> used;
  for (int i = 0; i < 100; ++i) used.insert(home_shard_of("tenant-" + std::to_string(i), 4));
  CHECK(used.size() == 4);
}

TEST_CASE("shard: submitted alerts reach the deliverer in order, one wake per submit", "[shard]") {
  boost::asio::io_context io;
  Metrics metrics(8, {"other"}, 1, "v");
  RecordingDeliverer d;
  ShardSet shards({&io}, 8, ShardSettings{}, d, metrics);
  add_tenants(shards, io, {"a"});
  auto batch = alerts("x", 10);
  REQUIRE(shards.submit(0, batch) == ShardSet::Submit::ok);
  auto batch2 = alerts("y", 5);
  REQUIRE(shards.submit(0, batch2) == ShardSet::Submit::ok);
  CHECK(shards.queue_depth(0) == 15);
  CHECK(io.poll() == 1);  // the second submit found a drain already pending
  REQUIRE(d.seen.size() == 15);
  CHECK(d.seen.front().second == "x0");
  CHECK(d.seen.back().second == "y4");
  CHECK(shards.total_depth() == 0);
}

TEST_CASE("shard: a full tenant queue refuses the whole batch", "[shard]") {
  boost::asio::io_context io;
  Metrics metrics(8, {"other"}, 1, "v");
  RecordingDeliverer d;
  ShardSettings s;
  s.max_queue_per_tenant = 8;
  ShardSet shards({&io}, 8, s, d, metrics);
  add_tenants(shards, io, {"a", "b"});
  auto five = alerts("x", 5);
  CHECK(shards.submit(0, five) == ShardSet::Submit::ok);
  auto four = alerts("y", 4);
  CHECK(shards.submit(0, four) == ShardSet::Submit::queue_full);
  CHECK(four.front().labels.size() == 1);                 // nothing moved out
  CHECK(shards.submit(1, four) == ShardSet::Submit::ok);  // other tenant unaffected
  CHECK(shards.queue_full(0));
  CHECK_FALSE(shards.queue_full(1));
}

TEST_CASE("shard: throttling lasts until the queue drained below half", "[shard]") {
  boost::asio::io_context io;
  Metrics metrics(8, {"other"}, 1, "v");
  RecordingDeliverer d;
  ShardSettings s;
  s.max_queue_per_tenant = 8;
  s.drain_budget = 2;
  ShardSet shards({&io}, 8, s, d, metrics);
  add_tenants(shards, io, {"a"});
  auto eight = alerts("x", 8);
  REQUIRE(shards.submit(0, eight) == ShardSet::Submit::ok);
  CHECK_FALSE(shards.queue_full(0));  // at the limit, but nothing refused yet
  auto one = alerts("y", 1);
  REQUIRE(shards.submit(0, one) == ShardSet::Submit::queue_full);
  CHECK(shards.queue_full(0));
  io.run_one();  // 6 left
  CHECK(shards.queue_full(0));
  io.run_one();  // 4 left: not below half yet
  CHECK(shards.queue_full(0));
  io.run_one();  // 2 left
  CHECK_FALSE(shards.queue_full(0));
}

TEST_CASE("shard: a flooded tenant does not hold back another tenant", "[shard]") {
  boost::asio::io_context io;
  Metrics metrics(8, {"other"}, 1, "v");
  RecordingDeliverer d;
  ShardSettings s;
  s.drain_budget = 64;
  s.max_queue_per_tenant = 1'000'000;
  ShardSet shards({&io}, 8, s, d, metrics);
  add_tenants(shards, io, {"flood", "calm"});
  auto flood = alerts("f", 10'000);
  shards.submit(0, flood);
  auto calm = alerts("critical", 1);
  shards.submit(1, calm);
  // Run until the calm tenant's alert is out and count how many flood alerts went first.
  std::size_t before = 0;
  while (true) {
    REQUIRE(io.run_one() == 1);
    const auto it =
        std::find_if(d.seen.begin(), d.seen.end(), [](const auto& p) { return p.first == 1; });
    if (it != d.seen.end()) {
      before = static_cast<std::size_t>(it - d.seen.begin());
      break;
    }
  }
  CHECK(before <= 2 * s.drain_budget);
  io.run();
  CHECK(d.seen.size() == 10'001);
}
