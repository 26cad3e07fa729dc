#include "app/durable_log.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <future>
#include <random>

#include "alertgate/metrics.hpp"
#include "alertgate/shard.hpp"

using namespace alertgate;

namespace {

std::filesystem::path temp_dir() {
  std::random_device rd;
  auto p = std::filesystem::temp_directory_path() / ("ag-durable-" + std::to_string(rd()));
  std::filesystem::create_directories(p);
  return p;
}

Alert alert(const std::string& tenant, const std::string& id) {
  Alert a;
  a.labels = {{"alertname", id}};
  a.tenant_id = tenant;
  a.alert_id = id;
  return a;
}

// Appends and waits for the sync; returns the alert as the router would see it.
Alert logged(DurableLog& log, Alert a) {
  std::promise<wal::WalTicket> done;
  log.writer(0).append(a, [&done](std::error_code ec, wal::WalTicket t) {
    done.set_value(ec ? wal::WalTicket{} : t);
  });
  a.wal_segment = done.get_future().get().segment;
  a.wal_shard = 0;
  REQUIRE(a.wal_segment != 0);
  return a;
}

struct RoutingDeliverer final : Deliverer {
  DurableLog* log = nullptr;
  std::vector<std::string> seen;
  void deliver(std::size_t, TenantIndex, std::span<Alert> batch, ReactorMetrics&) override {
    for (auto& a : batch) {
      seen.push_back(a.alert_id);
      log->release(a);
    }
  }
};

PolicySnapshot snapshot_with(const std::string& tenant) {
  PolicySnapshot s;
  auto p = std::make_shared<TenantPolicy>();
  p->tenant_id = tenant;
  s.set_tenant(0, p);
  return s;
}

}  // namespace

TEST_CASE("app: acknowledged alerts that were not routed are replayed, routed ones are not") {
  const auto dir = temp_dir();
  {
    auto log = DurableLog::open(dir, 1);
    REQUIRE(log.ok());
    const Alert routed = logged(**log, alert("a", "routed-1"));
    logged(**log, alert("a", "pending-1"));
    logged(**log, alert("gone", "orphan-1"));
    (*log)->release(routed);
    (*log)->stop();  // as after kill -9: the pending ones were never routed
  }
  boost::asio::io_context io;
  Metrics metrics(8, {"other"}, 1, "v");
  RoutingDeliverer d;
  ShardSet shards({&io}, 8, ShardSettings{}, d, metrics);
  shards.add_tenant(0, "a");
  io.poll();
  io.restart();
  {
    auto log = DurableLog::open(dir, 1);
    REQUIRE(log.ok());
    d.log = log->get();
    CHECK((*log)->healthy());
    // The orphan's tenant is gone: completed, not submitted.
    CHECK((*log)->resubmit(snapshot_with("a"), shard_target(shards)) == 1);
    io.poll();
    io.restart();
    CHECK(d.seen == std::vector<std::string>{"pending-1"});
    (*log)->stop();
  }
  {
    // Everything was completed: a third start replays nothing.
    auto log = DurableLog::open(dir, 1);
    REQUIRE(log.ok());
    CHECK((*log)->resubmit(snapshot_with("a"), shard_target(shards)) == 0);
    (*log)->stop();
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("app: a data_dir that cannot hold the log is a start-up error naming it") {
  auto log = DurableLog::open("/proc/alertgate-no-such-dir", 1);
  REQUIRE_FALSE(log.ok());
  CHECK(log.error().message.find("write-ahead log") != std::string::npos);
}

TEST_CASE("app: a replayed alert knows which destinations the previous process finished") {
  const auto dir = temp_dir();
  {
    auto log = DurableLog::open(dir, 1);
    REQUIRE(log.ok());
    const Alert a = logged(**log, alert("a", "two-dest-1"));
    (*log)->delivery_final(a, 111, true);   // delivered to one destination
    (*log)->delivery_final(a, 222, false);  // dead-lettered at another
    (*log)->stop();                         // crash before the third finished
  }
  boost::asio::io_context io;
  Metrics metrics(8, {"other"}, 1, "v");
  auto log = DurableLog::open(dir, 1);
  REQUIRE(log.ok());
  std::vector<Alert> seen;
  struct Capture final : Deliverer {
    std::vector<Alert>* out = nullptr;
    void deliver(std::size_t, TenantIndex, std::span<Alert> batch, ReactorMetrics&) override {
      for (auto& a : batch) out->push_back(a);
    }
  } capture;
  capture.out = &seen;
  ShardSet capture_shards({&io}, 8, ShardSettings{}, capture, metrics);
  capture_shards.add_tenant(0, "a");
  io.poll();
  io.restart();
  CHECK((*log)->resubmit(snapshot_with("a"), shard_target(capture_shards)) == 1);
  io.poll();
  io.restart();
  REQUIRE(seen.size() == 1);
  CHECK((*log)->already_final(seen[0], 111));
  CHECK((*log)->already_final(seen[0], 222));
  CHECK_FALSE((*log)->already_final(seen[0], 333));
  // Released: the memory of earlier outcomes goes with it.
  (*log)->release(seen[0]);
  CHECK_FALSE((*log)->already_final(seen[0], 111));
  (*log)->stop();
  std::filesystem::remove_all(dir);
}
