#include <concurrentqueue/concurrentqueue.h>
#include <xxhash.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <iterator>

#include "alertgate/shard.hpp"

namespace alertgate {

std::size_t home_shard_of(std::string_view tenant_id, std::size_t shards) {
  return static_cast<std::size_t>(XXH3_64bits(tenant_id.data(), tenant_id.size()) % shards);
}

struct ShardSet::TenantQueue {
  moodycamel::ConcurrentQueue<Alert> queue;
  std::atomic<bool> throttled{false};  // see queue_full()
  std::atomic<std::size_t> max_queue{0};
  std::atomic<std::uint64_t> active{0};  // firing alerts, from the home shard
  std::size_t deficit = 0;               // DRR credits left; home shard thread only
};

struct ShardSet::Shard {
  std::size_t index = 0;
  boost::asio::io_context* io = nullptr;
  ReactorMetrics* metrics = nullptr;
  std::vector<TenantIndex> tenants;  // whose home this is; this shard's thread only
  std::size_t next = 0;              // round-robin start of the next turn
  std::vector<Alert> buffer;         // reused drain buffer (owned by this shard's thread)
  std::atomic<bool> scheduled{false};
};

ShardSet::ShardSet(std::vector<boost::asio::io_context*> reactors, std::size_t tenant_capacity,
                   ShardSettings settings, Deliverer& deliverer, Metrics& metrics)
    : queues_(tenant_capacity), home_(tenant_capacity, 0), settings_(settings) {
  for (std::size_t k = 0; k < reactors.size(); ++k) {
    auto s = std::make_unique<Shard>();
    s->index = k;
    s->io = reactors[k];
    s->metrics = &metrics.reactor(k);
    s->buffer.resize(settings_.drain_budget);
    shards_.push_back(std::move(s));
  }
  deliverer_ = &deliverer;
}

ShardSet::~ShardSet() = default;

std::size_t ShardSet::shard_count() const { return shards_.size(); }
std::size_t ShardSet::home_shard(TenantIndex tenant) const { return home_[tenant]; }

void ShardSet::add_tenant(TenantIndex tenant, std::string_view tenant_id) {
  if (tenant >= queues_.size() || queues_[tenant]) return;
  auto q = std::make_unique<TenantQueue>();
  q->max_queue.store(settings_.max_queue_per_tenant, std::memory_order_relaxed);
  home_[tenant] = home_shard_of(tenant_id, shards_.size());
  queues_[tenant] = std::move(q);
  Shard& s = *shards_[home_[tenant]];
  // The shard's list belongs to its thread. This post precedes any drain post caused by a
  // submit for the tenant (those need the snapshot published after this call), so the
  // tenant is in the list before its first alerts are looked for.
  boost::asio::post(*s.io, [&s, tenant] { s.tenants.push_back(tenant); });
}

bool ShardSet::has_tenant(TenantIndex tenant) const {
  return tenant < queues_.size() && queues_[tenant] != nullptr;
}

void ShardSet::set_max_queue(TenantIndex tenant, std::size_t max_queue) {
  queues_[tenant]->max_queue.store(max_queue, std::memory_order_relaxed);
}

void ShardSet::set_active_alerts(TenantIndex tenant, std::uint64_t n) {
  queues_[tenant]->active.store(n, std::memory_order_relaxed);
}

std::uint64_t ShardSet::active_alerts(TenantIndex tenant) const {
  return queues_[tenant]->active.load(std::memory_order_relaxed);
}

void ShardSet::schedule(Shard& s) {
  // One post per submit at most, none while a drain is already pending.
  if (!s.scheduled.exchange(true, std::memory_order_acq_rel)) {
    boost::asio::post(*s.io, [this, &s] { drain(s); });
  }
}

ShardSet::Submit ShardSet::submit(TenantIndex tenant, std::span<Alert> alerts) {
  if (alerts.empty()) return Submit::ok;
  TenantQueue& tq = *queues_[tenant];
  auto& q = tq.queue;
  if (q.size_approx() + alerts.size() > tq.max_queue.load(std::memory_order_relaxed)) {
    tq.throttled.store(true, std::memory_order_relaxed);
    return Submit::queue_full;
  }
  q.enqueue_bulk(std::make_move_iterator(alerts.begin()), alerts.size());
  schedule(*shards_[home_[tenant]]);
  return Submit::ok;
}

void ShardSet::drain(Shard& s) {
  // Clear first (acq_rel pairs with submit's exchange): an enqueue that saw `true` before
  // this point is visible to the dequeues below; a later one posts again.
  s.scheduled.exchange(false, std::memory_order_acq_rel);
  bool more = false;
  const std::size_t n = s.tenants.size();
  for (std::size_t i = 0; i < n; ++i) {
    const TenantIndex t = s.tenants[(s.next + i) % n];
    TenantQueue& tq = *queues_[t];
    // Deficit round robin with a cost of one credit per alert: a tenant's credits are
    // topped up by one quantum per turn and spent by what it drains; an idle tenant keeps
    // none, so a flood cannot save up credits to burst past the others later.
    tq.deficit += settings_.drain_budget;
    while (tq.deficit > 0) {
      const std::size_t want = std::min(tq.deficit, s.buffer.size());
      const std::size_t n_got = tq.queue.try_dequeue_bulk(s.buffer.begin(), want);
      if (n_got == 0) break;
      tq.deficit -= n_got;
      deliverer_->deliver(s.index, t, std::span<Alert>(s.buffer.data(), n_got), *s.metrics);
      if (n_got < want) break;
    }
    if (tq.deficit == 0 && tq.queue.size_approx() != 0) {
      more = true;
    } else {
      tq.deficit = 0;  // drained to empty: nothing carried to the next turn
    }
  }
  if (n != 0) s.next = (s.next + 1) % n;
  // Yield to the reactor's network work between turns instead of draining to empty.
  if (more) schedule(s);
}

std::uint64_t ShardSet::queue_depth(TenantIndex tenant) const {
  return has_tenant(tenant) ? queues_[tenant]->queue.size_approx() : 0;
}

bool ShardSet::queue_full(TenantIndex tenant) const {
  TenantQueue& tq = *queues_[tenant];
  if (!tq.throttled.load(std::memory_order_relaxed)) return false;
  if (tq.queue.size_approx() < tq.max_queue.load(std::memory_order_relaxed) / 2) {
    tq.throttled.store(false, std::memory_order_relaxed);
    return false;
  }
  return true;
}

std::uint64_t ShardSet::total_depth() const {
  std::uint64_t total = 0;
  for (const auto& q : queues_) {
    if (q) total += q->queue.size_approx();
  }
  return total;
}

}  // namespace alertgate
