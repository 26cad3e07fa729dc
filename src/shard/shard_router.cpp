#include "alertgate/shard_router.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <limits>
#include <queue>

namespace alertgate {

namespace {
constexpr TimePoint kNever = TimePoint::max();
}

struct ShardRouter::Tenant {
  std::unique_ptr<TenantDispatcher> dispatcher;
  std::uint64_t seen_generation = 0;
  TimePoint scheduled = kNever;  // the deadline this tenant has in the shard's heap
};

struct ShardRouter::Shard {
  Shard(boost::asio::io_context& io, const SnapshotHolder& holder, ReactorMetrics& m)
      : timer(io), view(holder), metrics(&m) {}
  std::size_t index = 0;
  boost::asio::steady_timer timer;
  SnapshotView view;
  ReactorMetrics* metrics;
  std::vector<std::unique_ptr<Tenant>> tenants;  // by TenantIndex, grown on demand
  struct Entry {
    TimePoint at;
    TenantIndex tenant;
    bool operator>(const Entry& o) const { return at > o.at; }
  };
  // Lazy deletion: an entry is live while it equals its tenant's `scheduled`.
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  TimePoint armed_for = kNever;
  bool stopped = false;
  std::vector<Notification> out;  // reused
  // Seeds from earlier processes, applied to each dispatcher when it is created.
  std::vector<std::shared_ptr<const ShardRouter::NotifiedByTenant>> seeds;
};

ShardRouter::ShardRouter(std::vector<boost::asio::io_context*> reactors,
                         const SnapshotHolder& snapshots, DispatcherSettings settings,
                         Notifier& notifier, Metrics& metrics, std::function<TimePoint()> now)
    : snapshots_(snapshots),
      settings_(settings),
      notifier_(notifier),
      now_(now ? std::move(now) : std::function<TimePoint()>([] { return alertgate::now(); })) {
  for (std::size_t k = 0; k < reactors.size(); ++k) {
    auto s = std::make_unique<Shard>(*reactors[k], snapshots_, metrics.reactor(k));
    s->index = k;
    shards_state_.push_back(std::move(s));
  }
}

ShardRouter::~ShardRouter() = default;

ShardRouter::Tenant& ShardRouter::tenant_state(Shard& s, TenantIndex t) {
  if (t >= s.tenants.size()) s.tenants.resize(t + 1);
  if (!s.tenants[t]) s.tenants[t] = std::make_unique<Tenant>();
  return *s.tenants[t];
}

void ShardRouter::refresh_policy(Shard& s, TenantIndex t, Tenant& ts) {
  const PolicySnapshot& snap = s.view.current();
  if (ts.dispatcher && ts.seen_generation == snap.generation) return;
  ts.seen_generation = snap.generation;
  const PolicySnapshot::Tenant* entry = snap.find(t);
  if (entry == nullptr) return;  // removed: what is queued or grouped uses its last policy
  if (!ts.dispatcher) {
    ts.dispatcher = std::make_unique<TenantDispatcher>(entry->policy, settings_);
    for (const auto& seeds : s.seeds) {
      if (auto it = seeds->find(entry->policy->tenant_id); it != seeds->end()) {
        ts.dispatcher->seed(it->second, now_());
      }
    }
  } else if (ts.dispatcher->policy() != entry->policy) {
    ts.dispatcher->set_policy(entry->policy);
  }
}

void ShardRouter::deliver(std::size_t shard, TenantIndex tenant, std::span<Alert> batch,
                          ReactorMetrics& /*metrics*/) {
  Shard& s = *shards_state_[shard];
  Tenant& ts = tenant_state(s, tenant);
  refresh_policy(s, tenant, ts);
  if (!ts.dispatcher) {  // a tenant never published cannot have alerts
    for (Alert& a : batch) release_record(settings_.releaser, a);
    return;
  }
  const TimePoint now = now_();
  for (Alert& a : batch) ts.dispatcher->ingest(std::move(a), now, s.out);
  after_work(s, tenant, ts);
  arm(s);
}

void ShardRouter::after_work(Shard& s, TenantIndex t, Tenant& ts) {
  for (Notification& n : s.out) notifier_.notify(s.index, t, n, *s.metrics);
  s.out.clear();

  const DispatcherStats& st = ts.dispatcher->stats();
  auto& cells = s.metrics->tenant(t);
  const std::uint64_t values[kRouteEventCount] = {
      st.routed,         st.unrouted, st.deduplicated,         st.inhibited,
      st.muted_flushes,  st.expired,  st.dropped_active_limit, st.notifications,
      st.notified_alerts};
  for (std::size_t e = 0; e < kRouteEventCount; ++e) cells.routing[e].set(values[e]);
  const std::size_t active = ts.dispatcher->active_alerts();
  cells.active_alerts.set(active);
  cells.groups.set(ts.dispatcher->group_count());
  if (shards_ != nullptr) shards_->set_active_alerts(t, active);

  const TimePoint next = ts.dispatcher->next_deadline().value_or(kNever);
  if (next != ts.scheduled) {
    ts.scheduled = next;
    if (next != kNever) s.heap.push({next, t});
  }
}

void ShardRouter::arm(Shard& s) {
  while (!s.heap.empty()) {
    const auto& top = s.heap.top();
    if (top.tenant < s.tenants.size() && s.tenants[top.tenant] &&
        s.tenants[top.tenant]->scheduled == top.at) {
      break;
    }
    s.heap.pop();  // stale
  }
  if (s.heap.empty() || s.stopped) return;
  const TimePoint at = s.heap.top().at;
  if (at >= s.armed_for) return;  // the armed timer fires earlier (or at the same time)
  s.armed_for = at;
  const auto delay = at - now_();
  if (delay <= std::chrono::nanoseconds(0)) {
    // Already due (group_wait 0s makes every new group due at once): a post, not a timer.
    // An Asio timer at "now" costs two timerfd_settime calls (arm, expiry) per alert.
    boost::asio::post(s.timer.get_executor(), [this, &s, at] {
      if (s.armed_for != at) return;  // superseded by an earlier deadline
      s.armed_for = kNever;
      on_timer(s);
    });
    return;
  }
  s.timer.expires_after(delay);
  s.timer.async_wait([this, &s, at](boost::system::error_code ec) {
    if (ec || s.armed_for != at) return;  // cancelled by an earlier re-arm
    s.armed_for = kNever;
    on_timer(s);
  });
}

void ShardRouter::stop(std::size_t shard) {
  Shard& s = *shards_state_[shard];
  s.stopped = true;
  const TimePoint now = now_();
  for (std::size_t t = 0; t < s.tenants.size(); ++t) {
    Tenant* ts = s.tenants[t].get();
    if (ts == nullptr || !ts->dispatcher) continue;
    ts->dispatcher->flush_pending(now, s.out);
    after_work(s, static_cast<TenantIndex>(t), *ts);
  }
  s.armed_for = kNever;
  s.timer.cancel();
}

void ShardRouter::notification_log(std::size_t shard,
                                   std::vector<std::pair<std::string, NotifiedGroup>>& out) const {
  const Shard& s = *shards_state_[shard];
  std::vector<NotifiedGroup> groups;
  for (const auto& ts : s.tenants) {
    if (!ts || !ts->dispatcher) continue;
    groups.clear();
    ts->dispatcher->notified_groups(groups);
    for (NotifiedGroup& g : groups)
      out.emplace_back(ts->dispatcher->policy()->tenant_id, std::move(g));
  }
}

void ShardRouter::seed(std::size_t shard, std::shared_ptr<const NotifiedByTenant> seeds) {
  Shard& s = *shards_state_[shard];
  const TimePoint now = now_();
  for (const auto& ts : s.tenants) {
    if (!ts || !ts->dispatcher) continue;
    if (auto it = seeds->find(ts->dispatcher->policy()->tenant_id); it != seeds->end()) {
      ts->dispatcher->seed(it->second, now);
    }
  }
  s.seeds.push_back(std::move(seeds));
}

void ShardRouter::on_timer(Shard& s) {
  const TimePoint now = now_();
  while (!s.heap.empty() && s.heap.top().at <= now) {
    const auto e = s.heap.top();
    s.heap.pop();
    if (e.tenant >= s.tenants.size() || !s.tenants[e.tenant]) continue;
    Tenant& ts = *s.tenants[e.tenant];
    if (ts.scheduled != e.at) continue;  // stale
    ts.scheduled = kNever;
    refresh_policy(s, e.tenant, ts);
    ts.dispatcher->advance(now, s.out);
    after_work(s, e.tenant, ts);
  }
  arm(s);
}

}  // namespace alertgate
