#include "alertgate/policy_snapshot.hpp"

#include <algorithm>
#include <cassert>

namespace alertgate {

EffectiveLimits effective_limits(const TenantLimits& own, const Limits& defaults) {
  EffectiveLimits out;
  out.rate = own.rate.value_or(static_cast<double>(defaults.tenant_rate));
  if (own.burst) {
    out.burst = static_cast<double>(*own.burst);
  } else if (!own.rate && defaults.tenant_burst != 0) {
    out.burst = static_cast<double>(defaults.tenant_burst);
  } else {
    out.burst = std::max(1.0, out.rate);
  }
  out.max_queue = own.max_queue.value_or(defaults.max_queue_per_tenant);
  out.max_active_alerts = own.max_active_alerts.value_or(defaults.max_active_alerts_per_tenant);
  return out;
}

std::optional<TenantIndex> PolicySnapshot::index_of(std::string_view tenant_id) const {
  // A snapshot whose tenants were set without set_tenant() would answer "no tenant" here.
  assert(index_by_id_.size() == tenant_count);
  const auto it = index_by_id_.find(tenant_id);
  if (it == index_by_id_.end()) return std::nullopt;
  return it->second;
}

void PolicySnapshot::set_tenant(TenantIndex index, std::shared_ptr<const TenantPolicy> policy,
                                EffectiveLimits limits) {
  if (index >= tenants.size()) tenants.resize(std::size_t{index} + 1);
  Tenant& slot = tenants[index];
  if (slot.policy) {
    index_by_id_.erase(slot.policy->tenant_id);
    --tenant_count;
  }
  if (policy) {
    // One id, one slot: TenantRegistry never hands out two indexes for one id.
    assert(!index_by_id_.contains(policy->tenant_id));
    index_by_id_.emplace(policy->tenant_id, index);
    ++tenant_count;
  }
  slot = {std::move(policy), limits};
}

std::optional<TenantIndex> TenantRegistry::find(const std::string& tenant_id) const {
  const auto it = index_.find(tenant_id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

Result<TenantIndex> TenantRegistry::add(const std::string& tenant_id) {
  if (auto existing = find(tenant_id)) return *existing;
  if (ids_.size() >= capacity_) {
    return unexpected(Error{"tenant \"" + tenant_id + "\" not added: max_tenants (" +
                            std::to_string(capacity_) +
                            ") tenants were loaded since start; raise max_tenants and restart"});
  }
  const auto index = static_cast<TenantIndex>(ids_.size());
  ids_.push_back(tenant_id);
  index_.emplace(tenant_id, index);
  return index;
}

SnapshotHolder::SnapshotHolder(std::shared_ptr<const PolicySnapshot> first)
    : current_(std::move(first)), generation_(current_->generation) {}

std::shared_ptr<const PolicySnapshot> SnapshotHolder::load() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void SnapshotHolder::publish(std::shared_ptr<const PolicySnapshot> next) {
  const std::uint64_t generation = next->generation;
  {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }
  generation_.store(generation, std::memory_order_release);
}

}  // namespace alertgate
