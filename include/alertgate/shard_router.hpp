// ShardRouter: the Deliverer of the shards. Owns, per shard, the TenantDispatcher of each
// tenant whose home it is (created at the tenant's first alert), and one timer heap plus one
// Asio timer that wakes the shard at the earliest group deadline of its tenants — not a
// timer per group or per tenant. Notifications go to the Notifier on the shard's thread.
//
// Policy: each shard reads the current PolicySnapshot through its own SnapshotView; when a
// tenant's policy object changed, its dispatcher gets set_policy() before its next alert or
// timer (a removed tenant keeps its last policy for what is still queued or grouped).
//
// Threads: deliver() and the timers run on the shard's reactor only; construction and
// destruction on the control thread while the reactors are not running.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "alertgate/dispatcher.hpp"
#include "alertgate/notifier.hpp"
#include "alertgate/policy_snapshot.hpp"
#include "alertgate/shard.hpp"

namespace alertgate {

class ShardRouter final : public Deliverer {
 public:
  // `now` is the clock (system time) the dispatchers run on; tests may inject one.
  // `metrics.reactor(k)` is shard k's.
  ShardRouter(std::vector<boost::asio::io_context*> reactors, const SnapshotHolder& snapshots,
              DispatcherSettings settings, Notifier& notifier, Metrics& metrics,
              std::function<TimePoint()> now = nullptr);
  ~ShardRouter() override;
  ShardRouter(const ShardRouter&) = delete;
  ShardRouter& operator=(const ShardRouter&) = delete;

  // Lets the router publish each tenant's firing-alert count (ShardSet::set_active_alerts).
  void set_shards(ShardSet& shards) { shards_ = &shards; }

  void deliver(std::size_t shard, TenantIndex tenant, std::span<Alert> batch,
               ReactorMetrics& metrics) override;

  // Shutdown, on shard `shard`'s thread (post it there) once its queues are drained: flushes
  // every group with unsent changes at once (group_wait and group_interval are not waited
  // out: nothing that was accepted stays behind) and cancels the shard's timer so its
  // reactor can finish.
  void stop(std::size_t shard);

  // The notification log (dispatcher.hpp NotifiedGroup) of shard `shard`'s tenants, with
  // their tenant ids. Shard thread, or the control thread once the reactors stopped.
  void notification_log(std::size_t shard,
                        std::vector<std::pair<std::string, NotifiedGroup>>& out) const;
  // What an earlier process notified, by tenant id. Applied to the shard's dispatchers now
  // and to those created later. Shard thread, or the control thread before the reactors run.
  using NotifiedByTenant = std::unordered_map<std::string, std::vector<NotifiedGroup>>;
  void seed(std::size_t shard, std::shared_ptr<const NotifiedByTenant> seeds);

 private:
  struct Shard;
  struct Tenant;
  Tenant& tenant_state(Shard& s, TenantIndex t);
  void refresh_policy(Shard& s, TenantIndex t, Tenant& ts);
  void after_work(Shard& s, TenantIndex t, Tenant& ts);
  void arm(Shard& s);
  void on_timer(Shard& s);

  std::vector<std::unique_ptr<Shard>> shards_state_;
  const SnapshotHolder& snapshots_;
  DispatcherSettings settings_;
  Notifier& notifier_;
  std::function<TimePoint()> now_;

  ShardSet* shards_ = nullptr;
};

}  // namespace alertgate
