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

// What a shard does with drained alerts. Called only on the tenant's home shard thread,
// so an implementation may keep per-tenant state without locks when it is per shard.
class Deliverer {
 public:
  virtual ~Deliverer() = default;
  virtual void deliver(TenantIndex tenant, std::span<Alert> batch, ReactorMetrics& metrics) = 0;
};

struct ShardSettings {
  std::size_t drain_budget = 256;  // alerts per tenant per turn
  std::size_t max_queue_per_tenant = 100'000;
};

class ShardSet {
 public:
  // `reactors[k]` runs shard k and `metrics.reactor(k)` is its metrics. `tenant_ids[i]` is
  // tenant index i.
  ShardSet(std::vector<boost::asio::io_context*> reactors, std::vector<std::string> tenant_ids,
           ShardSettings settings, Deliverer& deliverer, Metrics& metrics);
  ~ShardSet();
  ShardSet(const ShardSet&) = delete;
  ShardSet& operator=(const ShardSet&) = delete;

  std::size_t shard_count() const;
  std::size_t home_shard(TenantIndex tenant) const;

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

  std::vector<std::unique_ptr<TenantQueue>> queues_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::size_t> home_;
  ShardSettings settings_;
  Deliverer* deliverer_ = nullptr;
};

// hash(tenant_id) % shards, with XXH3: the same on every process and restart.
std::size_t home_shard_of(std::string_view tenant_id, std::size_t shards);

}  // namespace alertgate
