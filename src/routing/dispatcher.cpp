// TenantDispatcher: ingest, reload and the timer loop. Group flushes are in flush.cpp.
#include "alertgate/dispatcher.hpp"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "alertgate/route.hpp"
#include "dispatcher_state.hpp"

namespace alertgate {

using routing::ActiveEntry;
using routing::GroupTable;
using routing::kNever;
using routing::Timer;

namespace {
// Initial table sizes: a tenant usually has few active alerts; the tables grow from here.
constexpr std::size_t kInitialAlerts = 1024;
constexpr std::size_t kInitialGroups = 256;
// Stale timer entries are dropped in one pass when they outnumber live ones this much.
constexpr std::size_t kCompactFactor = 4;
constexpr std::size_t kCompactMin = 4096;
}  // namespace

TenantDispatcher::State::State(std::shared_ptr<const TenantPolicy> p, DispatcherSettings s)
    : policy(std::move(p)),
      settings(s),
      routes(*policy),
      engine(policy->rating),
      history(std::max<std::size_t>(1, s.history_fingerprints), policy->rating.retention()),
      active(std::min(s.max_active_alerts, kInitialAlerts)),
      groups(kInitialGroups) {
  inhibitor.reset(policy->inhibit);
  inhibitor.take_released();
}

void TenantDispatcher::State::ingest(Alert alert, TimePoint now, std::vector<Notification>& out) {
  last_now = std::max(last_now, now);
  run_due(now, out);
  if (alert.status == AlertStatus::firing && alert.ends_at != TimePoint{} && alert.ends_at <= now) {
    alert.status = AlertStatus::resolved;  // arrived after its own end (Alertmanager: Resolved())
  }
  const std::uint64_t fp = alert.fingerprint;
  ActiveEntry* e = active.find(fp);
  if (e == nullptr && alert.status == AlertStatus::firing &&
      active.firing() >= settings.max_active_alerts) {
    ++stats.dropped_active_limit;
    release_record(settings.releaser, alert);
    return;
  }
  engine.rate(alert, history, now);

  bool changed = false;
  bool record_pending = false;  // the entry held a record no notification has taken yet
  if (e == nullptr) {
    if (alert.status == AlertStatus::resolved) {
      if (!seeded.empty() && resolve_seeded(alert, now)) {
        run_due(now, out);
        return;
      }
      ++stats.deduplicated;  // resolves nothing we know: no group can have notified it
      release_record(settings.releaser, alert);
      return;
    }
    e = &active.insert(std::move(alert));
    if (!inhibitor.empty()) inhibitor.add_source(e->alert.labels);
    schedule_expiry(*e);
    changed = true;
  } else {
    const bool was_firing = e->firing();
    const bool is_firing = alert.status == AlertStatus::firing;
    if (!inhibitor.empty() && (was_firing || is_firing) &&
        (was_firing != is_firing || e->alert.labels != alert.labels)) {
      if (was_firing) inhibitor.remove_source(e->alert.labels);
      if (is_firing) inhibitor.add_source(alert.labels);
    }
    // The latest content wins (annotations, ends_at); a re-send changes nothing else.
    // Its record replaces the entry's: the newer version is what a notification carries.
    record_pending = e->alert.wal_segment != 0;
    release_record(settings.releaser, e->alert);
    // A re-send does not make a replayed alert's unfinished delivery count as done.
    alert.replayed = alert.replayed || e->alert.replayed;
    e->alert = std::move(alert);
    if (was_firing != is_firing) {
      status_changed(*e, was_firing, now);
      changed = true;
    }
    if (is_firing) schedule_expiry(*e);
  }

  std::size_t took = 0;
  if (e->firing()) {
    took = routes.route(e->alert, rules_buf);
    for (const Rule* rule : rules_buf) {
      const std::uint64_t key = groups.key_of(*rule, e->alert);
      std::uint32_t slot = groups.find(key);
      if (slot == GroupTable::kNone) {
        slot = groups.create(key, policy, *rule, e->alert, now);
        schedule_group(slot, now + groups[slot].group_wait());
      } else if (e->membership(slot) != nullptr) {
        continue;  // already there: a re-send
      }
      e->groups.push_back(routing::Membership{slot, false});
      groups[slot].members.push_back(fp);
      mark_changed(slot, now);
      changed = true;
    }
  }

  if (took == 0 && e->groups.empty()) {
    ++stats.unrouted;
    release_record(settings.releaser, e->alert);  // nothing will deliver it
  } else if (changed) {
    ++stats.routed;
  } else {
    ++stats.deduplicated;
    // Already notified and unchanged: nothing to deliver, unless a flush is still to come.
    if (!record_pending) release_record(settings.releaser, e->alert);
  }

  erase_if_unused(*e);
  if (inhibitor.take_released()) release_inhibited(now);
  run_due(now, out);
}

void TenantDispatcher::State::set_policy(std::shared_ptr<const TenantPolicy> p) {
  if (!p || p == policy) return;
  // content_hash 0 = not computed (a policy built in code): compare by identity only.
  if (p->content_hash != 0 && p->content_hash == policy->content_hash) return;

  std::unordered_map<std::uint64_t, const Rule*> by_key;
  by_key.reserve(p->rules.size() + 1);
  for (const Rule& r : p->rules) by_key.emplace(r.key, &r);
  if (p->default_rule) by_key.emplace(p->default_rule->key, &*p->default_rule);
  for (std::uint32_t slot = 0; slot < groups.slot_count(); ++slot) {
    routing::Group& g = groups[slot];
    if (!g.live) continue;
    auto it = by_key.find(g.rule->key);
    if (it == by_key.end()) continue;  // a vanished rule: the group drains on its old one
    g.rule = it->second;
    g.policy = p;
  }

  policy = std::move(p);
  routes = RouteTable(*policy);
  engine = RatingEngine(policy->rating);
  inhibitor.reset(policy->inhibit);
  if (!inhibitor.empty()) {
    active.for_each([&](std::uint64_t, ActiveEntry& e) {
      if (e.firing()) inhibitor.add_source(e.alert.labels);
    });
  }
  if (inhibitor.take_released()) release_inhibited(last_now);
}

void TenantDispatcher::State::run_due(TimePoint now, std::vector<Notification>& out) {
  // Each timer runs at its own deadline, not at `now`: the outcome does not depend on how
  // often the shard calls in, and a late advance() replays the deadlines in order.
  while (!timers.empty() && timers.top().at <= now) {
    const Timer t = timers.top();
    timers.pop();
    if (!live(t)) continue;
    --live_timers;
    if (t.kind == Timer::Kind::group) {
      groups[static_cast<std::uint32_t>(t.id)].next_at = kNever;
      flush(static_cast<std::uint32_t>(t.id), t.at, out);
    } else {
      ActiveEntry* e = active.find(t.id);
      e->expiry_at = kNever;
      expire(*e, t.at);
    }
    if (inhibitor.take_released()) release_inhibited(t.at);
  }
}

bool TenantDispatcher::State::live(const Timer& t) const {
  if (t.kind == Timer::Kind::group) {
    if (t.id >= groups.slot_count()) return false;
    const routing::Group& g = groups[static_cast<std::uint32_t>(t.id)];
    return g.live && g.next_at != kNever && g.timer_seq == t.seq;
  }
  const ActiveEntry* e = active.find(t.id);
  return e != nullptr && e->expiry_at != kNever && e->expiry_seq == t.seq;
}

void TenantDispatcher::State::drop_stale_top() const {
  while (!timers.empty() && !live(timers.top())) timers.pop();
}

void TenantDispatcher::State::schedule_group(std::uint32_t slot, TimePoint at) {
  routing::Group& g = groups[slot];
  if (g.next_at == kNever) ++live_timers;
  g.next_at = at;
  g.timer_seq = ++timer_seq;
  timers.push(Timer{at, slot, g.timer_seq, Timer::Kind::group});
  maybe_compact();
}

void TenantDispatcher::State::schedule_expiry(ActiveEntry& e) {
  const TimePoint end = e.alert.ends_at;
  // A queued timer at or before `end` is enough: when it fires it finds ends_at moved on and
  // queues itself again (Prometheus moves ends_at forward on every re-send; no heap push).
  if (!e.firing() || end == TimePoint{} || e.expiry_at <= end) return;
  if (e.expiry_at == kNever) ++live_timers;
  e.expiry_at = end;
  e.expiry_seq = ++timer_seq;
  timers.push(Timer{end, e.alert.fingerprint, e.expiry_seq, Timer::Kind::expiry});
  maybe_compact();
}

void TenantDispatcher::State::unschedule_expiry(ActiveEntry& e) {
  if (e.expiry_at == kNever) return;
  --live_timers;
  e.expiry_at = kNever;
}

void TenantDispatcher::State::expire(ActiveEntry& e, TimePoint at) {
  if (!e.firing()) return;
  const TimePoint end = e.alert.ends_at;
  if (end == TimePoint{} || end > at) {
    schedule_expiry(e);
    return;
  }
  if (!inhibitor.empty()) inhibitor.remove_source(e.alert.labels);
  e.alert.status = AlertStatus::resolved;
  ++stats.expired;
  status_changed(e, true, at);
  erase_if_unused(e);
}

void TenantDispatcher::State::status_changed(ActiveEntry& e, bool was_firing, TimePoint now) {
  active.on_status_change(!was_firing);
  if (was_firing) unschedule_expiry(e);
  for (const routing::Membership& m : e.groups) mark_changed(m.slot, now);
}

void TenantDispatcher::State::mark_changed(std::uint32_t slot, TimePoint now) {
  routing::Group& g = groups[slot];
  g.changed = true;
  TimePoint due =
      g.flushed ? std::max(now, g.last_flush + g.group_interval()) : g.created + g.group_wait();
  due = std::max(due, g.muted_until);
  if (due < g.next_at) schedule_group(slot, due);
}

void TenantDispatcher::State::release_inhibited(TimePoint now) {
  for (std::uint32_t slot : inhibit_waiters) {
    routing::Group& g = groups[slot];
    if (!g.live || !g.waiting_inhibit) continue;
    g.waiting_inhibit = false;
    mark_changed(slot, now);
  }
  inhibit_waiters.clear();
}

void TenantDispatcher::State::erase_if_unused(ActiveEntry& e) {
  if (e.firing() || !e.groups.empty()) return;
  unschedule_expiry(e);
  release_record(settings.releaser, e.alert);
  active.erase(e.alert.fingerprint);
}

bool TenantDispatcher::State::resolve_seeded(Alert& alert, TimePoint now) {
  const std::uint64_t fp = alert.fingerprint;
  routes.route(alert, rules_buf);
  std::vector<std::pair<const Rule*, std::uint64_t>> known;
  for (const Rule* rule : rules_buf) {
    const std::uint64_t key = groups.key_of(*rule, alert);
    auto it = seeded.find(key);
    if (it != seeded.end() &&
        std::binary_search(it->second.firing.begin(), it->second.firing.end(), fp)) {
      known.emplace_back(rule, key);
    }
  }
  if (known.empty()) return false;
  ActiveEntry& e = active.insert(std::move(alert));  // resolved: not counted as firing
  for (const auto& [rule, key] : known) {
    std::uint32_t slot = groups.find(key);
    if (slot == GroupTable::kNone) {
      slot = groups.create(key, policy, *rule, e.alert, now);
      schedule_group(slot, now + groups[slot].group_wait());
    }
    e.groups.push_back(routing::Membership{slot, true});  // its firing was notified
    groups[slot].members.push_back(fp);
    mark_changed(slot, now);
  }
  ++stats.routed;
  return true;
}

void TenantDispatcher::State::maybe_compact() {
  if (timers.size() < kCompactMin || timers.size() < kCompactFactor * live_timers) return;
  timers.compact([this](const Timer& t) { return live(t); });
}

// --- TenantDispatcher ---

TenantDispatcher::TenantDispatcher(std::shared_ptr<const TenantPolicy> policy,
                                   DispatcherSettings settings)
    : state_(std::make_unique<State>(std::move(policy), settings)) {}

TenantDispatcher::~TenantDispatcher() = default;

void TenantDispatcher::set_policy(std::shared_ptr<const TenantPolicy> policy) {
  state_->set_policy(std::move(policy));
}

const std::shared_ptr<const TenantPolicy>& TenantDispatcher::policy() const {
  return state_->policy;
}

void TenantDispatcher::ingest(Alert alert, TimePoint now, std::vector<Notification>& out) {
  state_->ingest(std::move(alert), now, out);
}

void TenantDispatcher::advance(TimePoint now, std::vector<Notification>& out) {
  state_->last_now = std::max(state_->last_now, now);
  state_->run_due(now, out);
  state_->history.expire(now);
}

void TenantDispatcher::flush_pending(TimePoint now, std::vector<Notification>& out) {
  state_->last_now = std::max(state_->last_now, now);
  for (std::uint32_t slot = 0; slot < state_->groups.slot_count(); ++slot) {
    const routing::Group& g = state_->groups[slot];
    if (g.live && g.changed) state_->flush(slot, now, out);
  }
}

void TenantDispatcher::notified_groups(std::vector<NotifiedGroup>& out) const {
  const State& s = *state_;
  for (std::uint32_t slot = 0; slot < s.groups.slot_count(); ++slot) {
    const routing::Group& g = s.groups[slot];
    if (!g.live || !g.notified) continue;
    NotifiedGroup n{g.key, g.last_notify, {}};
    for (const std::uint64_t fp : g.members) {
      const ActiveEntry* e = s.active.find(fp);
      if (e == nullptr) continue;
      for (const routing::Membership& m : e->groups) {
        if (m.slot == slot && m.notified) n.firing.push_back(fp);
      }
    }
    std::sort(n.firing.begin(), n.firing.end());
    out.push_back(std::move(n));
  }
  for (const auto& [key, n] : s.seeded) out.push_back(n);
}

void TenantDispatcher::seed(const std::vector<NotifiedGroup>& groups, TimePoint now) {
  for (const NotifiedGroup& g : groups) {
    if (g.last_notify + kNotifiedRetention < now) continue;
    NotifiedGroup& into = state_->seeded[g.key];
    // Two earlier processes (a restart during a restart): the union, the latest time.
    into.key = g.key;
    into.last_notify = std::max(into.last_notify, g.last_notify);
    into.firing.insert(into.firing.end(), g.firing.begin(), g.firing.end());
    std::sort(into.firing.begin(), into.firing.end());
    into.firing.erase(std::unique(into.firing.begin(), into.firing.end()), into.firing.end());
  }
}

std::optional<TimePoint> TenantDispatcher::next_deadline() const {
  state_->drop_stale_top();
  if (state_->timers.empty()) return std::nullopt;
  return state_->timers.top().at;
}

std::size_t TenantDispatcher::active_alerts() const { return state_->active.firing(); }
std::size_t TenantDispatcher::group_count() const { return state_->groups.size(); }
const DispatcherStats& TenantDispatcher::stats() const { return state_->stats; }

}  // namespace alertgate
