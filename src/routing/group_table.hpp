// GroupTable: the aggregation groups of one tenant, in reusable slots, found by group key.
//
// A group is (rule, values of the rule's group_by labels) — for an ungrouped rule or
// group_by ["..."], (rule, fingerprint). It holds the fingerprints of its alerts (the alerts
// themselves stay in the ActiveTable), its flush times and its one live timer.
//
// Thread: the tenant's home shard only. No errors.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "active_table.hpp"
#include "alertgate/alert.hpp"
#include "alertgate/tenant_policy.hpp"
#include "alertgate/time.hpp"

namespace alertgate::routing {

struct Group {
  std::uint64_t key = 0;
  std::shared_ptr<const TenantPolicy> policy;  // keeps `rule` alive (old rules on reload)
  const Rule* rule = nullptr;
  LabelSet labels;                     // group_by values (grouping by a label list only)
  std::vector<std::uint64_t> members;  // fingerprints, in arrival order
  TimePoint created{};
  TimePoint last_flush{};       // valid when `flushed`
  TimePoint last_notify{};      // valid when `notified`
  TimePoint muted_until{};      // no flush before this (mute_when window end)
  TimePoint next_at = kNever;   // the live timer, kNever when none
  std::uint32_t timer_seq = 0;  // its sequence number
  bool live = false;
  bool flushed = false;          // group_wait is over
  bool notified = false;         // sent at least one notification
  bool changed = false;          // something to tell since the last flush
  bool waiting_inhibit = false;  // has unnotified firing alerts held back by inhibition

  // Alertmanager pacing; an ungrouped rule flushes at once when changed.
  std::chrono::nanoseconds group_wait() const {
    return rule->grouping.enabled ? std::chrono::nanoseconds(rule->grouping.group_wait)
                                  : std::chrono::nanoseconds(0);
  }
  std::chrono::nanoseconds group_interval() const {
    return rule->grouping.enabled ? std::chrono::nanoseconds(rule->grouping.group_interval)
                                  : std::chrono::nanoseconds(0);
  }
  // At least 1 s, so that a zero from a policy built in code cannot spin the timer loop.
  std::chrono::nanoseconds repeat_interval() const {
    return std::max<std::chrono::nanoseconds>(rule->grouping.repeat_interval,
                                              std::chrono::seconds(1));
  }
};

class GroupTable {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  explicit GroupTable(std::size_t expected) { index_.reserve(expected); }

  // The group key of `alert` under `rule`: XXH3 seeded with rule.key over the group_by
  // values ("" for an absent label), or over the fingerprint for ungrouped / by_all rules.
  std::uint64_t key_of(const Rule& rule, const Alert& alert);

  std::uint32_t find(std::uint64_t key) const {
    auto it = index_.find(key);
    return it == index_.end() ? kNone : it->second;
  }
  // A new live group for `alert` under `rule` (the key must not be present).
  std::uint32_t create(std::uint64_t key, const std::shared_ptr<const TenantPolicy>& policy,
                       const Rule& rule, const Alert& alert, TimePoint now);
  // Frees the slot of an empty group.
  void release(std::uint32_t slot);

  Group& operator[](std::uint32_t slot) { return slots_[slot]; }
  const Group& operator[](std::uint32_t slot) const { return slots_[slot]; }
  std::size_t slot_count() const { return slots_.size(); }
  std::size_t size() const { return index_.size(); }

 private:
  std::vector<Group> slots_;
  std::vector<std::uint32_t> free_;
  std::unordered_map<std::uint64_t, std::uint32_t> index_;
  std::string buf_;  // reused by key_of
};

}  // namespace alertgate::routing
