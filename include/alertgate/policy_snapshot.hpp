// PolicySnapshot: everything the data path needs to know about every tenant, immutable once
// published. A reload builds a whole new snapshot on the control thread and swaps it in
// atomically; reactors and shards pick it up at their next request or drain (SnapshotView)
// and keep the old one alive (shared_ptr) for as long as they still use it.
//
// Tenant indexes (TenantIndex) are stable for the life of the process: TenantRegistry hands
// out one per tenant id the first time it is seen and never reuses it, so queues, metric
// cells and shard state indexed by it survive every reload. A removed tenant's slot stays
// (with policy == nullptr) until restart.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alertgate/main_config.hpp"
#include "alertgate/result.hpp"
#include "alertgate/tenant_policy.hpp"
#include "alertgate/token_table.hpp"

namespace alertgate {

// A tenant's limits with the main config's defaults applied.
struct EffectiveLimits {
  double rate = 0;   // alerts/s; 0 = unlimited
  double burst = 1;  // alerts
  std::size_t max_queue = 100'000;
  std::size_t max_active_alerts = 1'000'000;
};
EffectiveLimits effective_limits(const TenantLimits& own, const Limits& defaults);

// Built on the control thread (PolicyManager, or a test), then read-only on every thread.
struct PolicySnapshot {
  std::uint64_t generation = 0;
  // By TenantIndex, sized to the registry's capacity; policy == nullptr: no tenant there.
  // Filled only through set_tenant(), which keeps tenant_count and index_of() in step.
  struct Tenant {
    std::shared_ptr<const TenantPolicy> policy;
    EffectiveLimits limits;
  };
  std::vector<Tenant> tenants;
  TokenTable tokens;
  std::optional<TokenDigest> admin_token;
  std::size_t tenant_count = 0;  // slots with a policy

  const Tenant* find(TenantIndex i) const {
    return i < tenants.size() && tenants[i].policy ? &tenants[i] : nullptr;
  }
  // The index of the tenant with this id, if it has a policy in this snapshot. One hash
  // lookup: the Kafka intake does it per consumed message.
  std::optional<TenantIndex> index_of(std::string_view tenant_id) const;
  // Puts `policy` (nullptr: none, the slot of a removed tenant) at `index`, growing
  // `tenants` as needed; replaces what was there.
  void set_tenant(TenantIndex index, std::shared_ptr<const TenantPolicy> policy,
                  EffectiveLimits limits = {});

 private:
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };
  std::unordered_map<std::string, TenantIndex, IdHash, std::equal_to<>> index_by_id_;
};

// Tenant id -> stable index. Control thread only.
class TenantRegistry {
 public:
  explicit TenantRegistry(std::size_t capacity) : capacity_(capacity) {}
  std::optional<TenantIndex> find(const std::string& tenant_id) const;
  // The existing index, or a new one; an error when `capacity` indexes are in use.
  Result<TenantIndex> add(const std::string& tenant_id);
  const std::string& id(TenantIndex i) const { return ids_[i]; }
  std::size_t size() const { return ids_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::vector<std::string> ids_;
  std::unordered_map<std::string, TenantIndex> index_;
};

// The current snapshot. publish() on the control thread; load()/generation() on any thread.
class SnapshotHolder {
 public:
  explicit SnapshotHolder(std::shared_ptr<const PolicySnapshot> first);
  std::shared_ptr<const PolicySnapshot> load() const;
  void publish(std::shared_ptr<const PolicySnapshot> next);
  // Cheap (one relaxed-acquire load): lets each thread re-load only after a publish.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const PolicySnapshot> current_;
  std::atomic<std::uint64_t> generation_{0};
};

// One thread's cached reference to the current snapshot: current() costs one atomic load
// unless a reload happened since the last call. The reference stays valid until the next
// current() call on this view. Not thread-safe: one view per thread.
class SnapshotView {
 public:
  explicit SnapshotView(const SnapshotHolder& holder) : holder_(&holder), cached_(holder.load()) {}
  const PolicySnapshot& current() {
    if (holder_->generation() != cached_->generation) cached_ = holder_->load();
    return *cached_;
  }

 private:
  const SnapshotHolder* holder_;
  std::shared_ptr<const PolicySnapshot> cached_;
};

// The result of (re)loading every file of tenants_dir against the tenants served so far.
// Isolation: a file that fails validation is refused alone; the tenant it held before (if
// any) keeps its previous policy, every other tenant's valid change applies.
struct TenantsReload {
  std::vector<std::shared_ptr<const TenantPolicy>> tenants;  // to serve, sorted by id
  ConfigErrors errors;                                       // every problem of every file
  std::vector<std::string> added, changed, removed;          // tenant ids
  std::vector<std::string> refused;  // tenants whose new file was refused (they keep the old)
  bool dir_failed = false;           // the directory could not be listed: nothing changed
};

// Control thread (reads files). `previous`: the policies served until now (empty at start).
// A file whose bytes are unchanged reuses its previous policy object.
TenantsReload reload_tenants(const std::filesystem::path& dir,
                             const std::vector<std::shared_ptr<const TenantPolicy>>& previous);

}  // namespace alertgate
