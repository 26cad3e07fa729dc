// TenantDispatcher::State: the dispatcher's private state and its steps, shared by
// dispatcher.cpp (ingest, reload, timers) and flush.cpp (group flushes, mute windows).
// See include/alertgate/dispatcher.hpp for the semantics and docs/routing.md for the why.
//
// Thread: the tenant's home shard only.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "active_table.hpp"
#include "alertgate/dispatcher.hpp"
#include "alertgate/rating_engine.hpp"
#include "alertgate/route.hpp"
#include "group_table.hpp"
#include "inhibitor.hpp"
#include "timer_heap.hpp"

namespace alertgate {

struct TenantDispatcher::State {
  State(std::shared_ptr<const TenantPolicy> p, DispatcherSettings s);

  std::shared_ptr<const TenantPolicy> policy;
  DispatcherSettings settings;
  RouteTable routes;  // compiled from *policy
  RatingEngine engine;
  AlertHistory history;
  routing::ActiveTable active;
  routing::GroupTable groups;
  routing::Inhibitor inhibitor;
  // Mutable: next_deadline() (const) drops stale entries from the top.
  mutable routing::TimerHeap timers;
  std::size_t live_timers = 0;  // entries that are not stale
  std::uint32_t timer_seq = 0;
  std::vector<std::uint32_t> inhibit_waiters;  // slots with Group::waiting_inhibit
  DispatcherStats stats;
  // The notification log an earlier process left (seed()), by group key; an entry goes
  // once its group consulted it.
  std::unordered_map<std::uint64_t, NotifiedGroup> seeded;
  TimePoint last_now{};  // the latest `now` given (set_policy has none of its own)

  // Scratch, reused so that the steady state allocates nothing.
  std::vector<const Rule*> rules_buf;
  std::vector<routing::ActiveEntry*> firing_buf;
  std::vector<routing::ActiveEntry*> resolved_buf;

  // dispatcher.cpp
  void ingest(Alert alert, TimePoint now, std::vector<Notification>& out);
  void set_policy(std::shared_ptr<const TenantPolicy> p);
  void run_due(TimePoint now, std::vector<Notification>& out);
  bool live(const routing::Timer& t) const;
  void drop_stale_top() const;
  void schedule_group(std::uint32_t slot, TimePoint at);
  void schedule_expiry(routing::ActiveEntry& e);
  void unschedule_expiry(routing::ActiveEntry& e);
  void expire(routing::ActiveEntry& e, TimePoint at);
  void mark_changed(std::uint32_t slot, TimePoint now);
  void status_changed(routing::ActiveEntry& e, bool was_firing, TimePoint now);
  void release_inhibited(TimePoint now);
  void erase_if_unused(routing::ActiveEntry& e);
  void maybe_compact();
  // An unknown resolve that a seeded group had notified firing: joins that group so its
  // resolve is notified. False when no seeded group knows it.
  bool resolve_seeded(Alert& alert, TimePoint now);

  // flush.cpp
  void flush(std::uint32_t slot, TimePoint now, std::vector<Notification>& out);
  // A group notifying for the first time in this process takes over its seeded entry.
  void adopt_seed(std::uint32_t slot);
  TimePoint mute_end(const Rule& rule, TimePoint now) const;
};

}  // namespace alertgate
