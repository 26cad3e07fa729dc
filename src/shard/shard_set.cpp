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
};

struct ShardSet::Shard {
  boost::asio::io_context* io = nullptr;
  ReactorMetrics* metrics = nullptr;
  std::vector<TenantIndex> tenants;  // whose home this is
  std::size_t next = 0;              // round-robin start of the next turn
  std::vector<Alert> buffer;         // reused drain buffer (owned by this shard's thread)
  std::atomic<bool> scheduled{false};
};

ShardSet::ShardSet(std::vector<boost::asio::io_context*> reactors,
                   std::vector<std::string> tenant_ids, ShardSettings settings,
                   Deliverer& deliverer, Metrics& metrics)
    : settings_(settings) {
  for (std::size_t k = 0; k < reactors.size(); ++k) {
    auto s = std::make_unique<Shard>();
    s->io = reactors[k];
    s->metrics = &metrics.reactor(k);
    s->buffer.resize(settings_.drain_budget);
    shards_.push_back(std::move(s));
  }
  for (std::size_t t = 0; t < tenant_ids.size(); ++t) {
    queues_.push_back(std::make_unique<TenantQueue>());
    home_.push_back(home_shard_of(tenant_ids[t], shards_.size()));
    shards_[home_.back()]->tenants.push_back(static_cast<TenantIndex>(t));
  }
  deliverer_ = &deliverer;
}

ShardSet::~ShardSet() = default;

std::size_t ShardSet::shard_count() const { return shards_.size(); }
std::size_t ShardSet::home_shard(TenantIndex tenant) const { return home_[tenant]; }

ShardSet::Submit ShardSet::submit(TenantIndex tenant, std::span<Alert> alerts) {
  if (alerts.empty()) return Submit::ok;
  TenantQueue& tq = *queues_[tenant];
  auto& q = tq.queue;
  if (q.size_approx() + alerts.size() > settings_.max_queue_per_tenant) {
    tq.throttled.store(true, std::memory_order_relaxed);
    return Submit::queue_full;
  }
  q.enqueue_bulk(std::make_move_iterator(alerts.begin()), alerts.size());
  Shard& s = *shards_[home_[tenant]];
  // One post per submit at most, none while a drain is already pending.
  if (!s.scheduled.exchange(true, std::memory_order_acq_rel)) {
    boost::asio::post(*s.io, [this, &s] { drain(s); });
  }
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
    const std::size_t got = tq.queue.try_dequeue_bulk(s.buffer.begin(), settings_.drain_budget);
    if (got == 0) continue;

    deliverer_->deliver(t, std::span<Alert>(s.buffer.data(), got), *s.metrics);
    if (got == settings_.drain_budget) more = true;
  }
  if (n != 0) s.next = (s.next + 1) % n;
  // Yield to the reactor's network work between turns instead of draining to empty.
  if (more && !s.scheduled.exchange(true, std::memory_order_acq_rel)) {
    boost::asio::post(*s.io, [this, &s] { drain(s); });
  }
}

std::uint64_t ShardSet::queue_depth(TenantIndex tenant) const {
  return queues_[tenant]->queue.size_approx();
}

bool ShardSet::queue_full(TenantIndex tenant) const {
  TenantQueue& tq = *queues_[tenant];
  if (!tq.throttled.load(std::memory_order_relaxed)) return false;
  if (tq.queue.size_approx() < settings_.max_queue_per_tenant / 2) {
    tq.throttled.store(false, std::memory_order_relaxed);
    return false;
  }
  return true;
}

std::uint64_t ShardSet::total_depth() const {
  std::uint64_t total = 0;
  for (const auto& q : queues_) total += q->queue.size_approx();
  return total;
}

}  // namespace alertgate
