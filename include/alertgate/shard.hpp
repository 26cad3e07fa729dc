// Shards: per-tenant queues and their fair drain.
//
// Each tenant has a home shard, hash(tenant_id) % shards; shard k runs on reactor k.
// Any reactor submits a tenant's decoded alerts into that tenant's lock-free queue
// (moodycamel::ConcurrentQueue) and wakes the home shard with at most one post per
// submit. The home shard drains its tenants round-robin with a per-tenant budget per
// turn, so one tenant's flood never holds back another tenant's alert for more than one
// budget's worth of work, and hands each batch to the Deliverer on the shard's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "alertgate/alert.hpp"
#include "alertgate/metrics.hpp"
#include "alertgate/token_table.hpp"

namespace alertgate {

// What a shard does with drained alerts. Called only on the tenant's home shard thread
// (`shard`), so an implementation may keep per-tenant state without locks when it is per
// shard.
class Deliverer {
 public:
  virtual ~Deliverer() = default;
  virtual void deliver(std::size_t shard, TenantIndex tenant, std::span<Alert> batch,
                       ReactorMetrics& metrics) = 0;
};

struct ShardSettings {
  // Deficit round robin: each turn a tenant with queued alerts gets `drain_budget` credits
  // (its quantum); an alert costs one credit, so a turn drains at most that many per tenant.
  std::size_t drain_budget = 256;
  std::size_t max_queue_per_tenant = 100'000;  // default of set_max_queue()
};

class ShardSet {
 public:
  // `reactors[k]` runs shard k and `metrics.reactor(k)` is its metrics. Room for
  // `tenant_capacity` tenants, added with add_tenant().
  ShardSet(std::vector<boost::asio::io_context*> reactors, std::size_t tenant_capacity,
           ShardSettings settings, Deliverer& deliverer, Metrics& metrics);
  ~ShardSet();
  ShardSet(const ShardSet&) = delete;
  ShardSet& operator=(const ShardSet&) = delete;

  std::size_t shard_count() const;
  std::size_t home_shard(TenantIndex tenant) const;

  // Control thread, before any submit() for `tenant` can happen (i.e. before a snapshot
  // naming the tenant is published): creates its queue and adds it to its home shard's
  // drain list. Adding an index twice does nothing.
  void add_tenant(TenantIndex tenant, std::string_view tenant_id);
  bool has_tenant(TenantIndex tenant) const;
  // Any thread (a reload): the tenant's queue limit from now on.
  void set_max_queue(TenantIndex tenant, std::size_t max_queue);
  // Firing alerts of the tenant, published by its home shard for ingest's limit check.
  void set_active_alerts(TenantIndex tenant, std::uint64_t n);
  std::uint64_t active_alerts(TenantIndex tenant) const;

  enum class Submit { ok, queue_full };
  // Any thread. Moves all alerts into the tenant's queue and wakes its home shard, or
  // moves nothing and answers queue_full when they would exceed max_queue_per_tenant.
  Submit submit(TenantIndex tenant, std::span<Alert> alerts);

  // Any thread; approximate under concurrent use.
  std::uint64_t queue_depth(TenantIndex tenant) const;
  // Any thread: true from the moment submit() refused a batch of the tenant until its
  // queue has drained below half of max_queue_per_tenant. Ingest answers 429 before
  // decoding while it is true: under overload, decoding batches that would be refused
  // only takes CPU from the shard that is draining.
  bool queue_full(TenantIndex tenant) const;
  std::uint64_t total_depth() const;

 private:
  struct TenantQueue;
  struct Shard;
  void drain(Shard& shard);

  void schedule(Shard& shard);

  // Sized to the capacity up front and never resized, so reactors may read slot i while
  // the control thread fills slot j.
  std::vector<std::unique_ptr<TenantQueue>> queues_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::size_t> home_;
  ShardSettings settings_;
  Deliverer* deliverer_ = nullptr;
};

// hash(tenant_id) % shards, with XXH3: the same on every process and restart.
std::size_t home_shard_of(std::string_view tenant_id, std::size_t shards);

}  // namespace alertgate
