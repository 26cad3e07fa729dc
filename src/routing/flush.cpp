// Group flushes: what a group tells its destinations when its timer fires.
#include <algorithm>
#include <cassert>
#include <chrono>

#include "dispatcher_state.hpp"

namespace alertgate {

using routing::ActiveEntry;
using routing::Group;

namespace {

bool muted(const Rule& rule, TimePoint t) {
  return std::any_of(rule.mute_when.begin(), rule.mute_when.end(),
                     [&](const TimeInterval& w) { return w.contains(t); });
}

// How far mute_end() looks: a week and a day covers every weekday/time-of-day window.
constexpr int kMuteScanMinutes = 8 * 24 * 60;

}  // namespace

TimePoint TenantDispatcher::State::mute_end(const Rule& rule, TimePoint now) const {
  // Windows are whole minutes of local time (and zone offsets whole minutes), so the first
  // minute boundary after `now` that no window contains is where the mute ends. Scanning
  // minute by minute costs ~100 ns a step and runs only when a flush is held.
  TimePoint t = std::chrono::floor<std::chrono::minutes>(now) + std::chrono::minutes(1);
  for (int i = 0; i < kMuteScanMinutes && muted(rule, t); ++i) t += std::chrono::minutes(1);
  return t;  // a window that never ends is looked at again a week later
}

void TenantDispatcher::State::adopt_seed(std::uint32_t slot) {
  Group& g = groups[slot];
  auto it = seeded.find(g.key);
  if (it == seeded.end()) return;
  const NotifiedGroup& n = it->second;
  bool any = false;
  for (const std::uint64_t fp : g.members) {
    ActiveEntry* e = active.find(fp);
    // Replayed: the earlier process notified it but did not finish delivering it.
    if (e == nullptr || !e->firing() || e->alert.replayed) continue;
    if (std::binary_search(n.firing.begin(), n.firing.end(), fp)) {
      e->membership(slot)->notified = true;
      any = true;
    }
  }
  // Resolves that joined through resolve_seeded() are already marked.
  any = any || std::any_of(g.members.begin(), g.members.end(), [&](std::uint64_t fp) {
          const ActiveEntry* e = active.find(fp);
          return e != nullptr && !e->firing();
        });
  if (any) {
    g.notified = true;
    g.last_notify = n.last_notify;
  }
  seeded.erase(it);
}

void TenantDispatcher::State::flush(std::uint32_t slot, TimePoint now,
                                    std::vector<Notification>& out) {
  Group& g = groups[slot];
  if (!g.notified && !seeded.empty()) adopt_seed(slot);
  if (!g.rule->mute_when.empty() && muted(*g.rule, now)) {
    ++stats.muted_flushes;
    g.muted_until = mute_end(*g.rule, now);
    schedule_group(slot, g.muted_until);  // the changes stay pending until the window ends
    return;
  }

  // Classify the members. Kept: firing ones (sent or inhibited). Leaving: resolves whose
  // firing this group notified (sent now, once) and resolves it never told (dropped).
  firing_buf.clear();
  resolved_buf.clear();
  bool new_firing = false;
  bool held_new = false;
  std::size_t kept = 0;
  for (const std::uint64_t fp : g.members) {
    ActiveEntry* e = active.find(fp);
    assert(e != nullptr);
    routing::Membership* m = e->membership(slot);
    assert(m != nullptr);
    if (e->firing()) {
      g.members[kept++] = fp;
      if (!inhibitor.empty() && inhibitor.inhibited(e->alert.labels)) {
        ++stats.inhibited;
        held_new |= !m->notified;
        continue;
      }
      new_firing |= !m->notified;
      firing_buf.push_back(e);
    } else if (m->notified) {
      resolved_buf.push_back(e);
    } else {
      e->leave(slot);
      erase_if_unused(*e);
    }
  }
  g.members.resize(kept);

  const bool repeat_due =
      g.notified && !firing_buf.empty() && now >= g.last_notify + g.repeat_interval();
  if (new_firing || !resolved_buf.empty() || repeat_due) {
    Notification n;
    n.policy = g.policy;
    n.rule = g.rule;
    n.group_key = g.key;
    n.at = now;
    n.firing = firing_buf.size();
    n.alerts.reserve(firing_buf.size() + resolved_buf.size());
    // The notification takes the alerts' log records (alert_release.hpp): the entry's copy
    // no longer holds one, so a later notification of the same alert cannot release it again.
    for (ActiveEntry* e : firing_buf) {
      n.alerts.push_back(e->alert);
      e->alert.wal_segment = 0;
      e->membership(slot)->notified = true;
    }
    for (ActiveEntry* e : resolved_buf) {
      n.alerts.push_back(e->alert);
      e->alert.wal_segment = 0;
    }
    const Grouping& grouping = g.rule->grouping;
    n.group_labels = grouping.enabled && !grouping.by_all ? g.labels : n.alerts.front().labels;
    ++stats.notifications;
    stats.notified_alerts += n.alerts.size();
    out.push_back(std::move(n));
    g.last_notify = now;
    g.notified = true;
    for (ActiveEntry* e : resolved_buf) {
      e->leave(slot);
      erase_if_unused(*e);
    }
  }

  g.flushed = true;
  g.changed = false;
  g.last_flush = now;
  g.muted_until = TimePoint{};

  if (g.members.empty()) {
    if (g.waiting_inhibit) {
      auto it = std::find(inhibit_waiters.begin(), inhibit_waiters.end(), slot);
      if (it != inhibit_waiters.end()) {
        *it = inhibit_waiters.back();
        inhibit_waiters.pop_back();
      }
    }
    groups.release(slot);
    return;
  }
  if (held_new && !g.waiting_inhibit) {
    // Woken when a source stops firing (Inhibitor::take_released), not by polling.
    g.waiting_inhibit = true;
    inhibit_waiters.push_back(slot);
  }
  if (g.notified) {
    TimePoint next = g.last_notify + g.repeat_interval();
    if (next <= now) next = now + g.repeat_interval();  // all inhibited at a repeat
    schedule_group(slot, next);
  }
}

}  // namespace alertgate
