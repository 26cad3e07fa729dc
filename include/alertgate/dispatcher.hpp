// TenantDispatcher: one tenant's routing state on its home shard — the active-alert table,
// the rating history, the groups and their timers — turning accepted alerts into
// notifications with Alertmanager's dedup, grouping, inhibition and mute semantics
// (docs/policy.md).
//
// For each alert given to ingest():
//   1. second rating pass (RatingEngine with the tenant's RatingPolicy and AlertHistory):
//      sets `rating`, maybe the label flapping="true";
//   2. the active table is updated (fingerprint -> latest alert, firing or resolved);
//   3. route() picks the rules; the alert joins, per rule, the group named by the rule's key
//      and the values of its group_by labels (ungrouped rules: one group per fingerprint).
//      An alert already in a group is updated there even when it no longer routes to it
//      (e.g. its resolve), so a resolve always reaches the groups that notified the firing.
//   4. groups that are due are flushed into `out`.
// A group flush (at `group_wait` after it appeared, then when changed but at most every
// `group_interval`, and every `repeat_interval` while it has firing alerts) sends its firing
// alerts that are not inhibited, plus resolved alerts whose firing was notified before
// (each resolve exactly once). Nothing is sent while a `mute_when` window of the rule
// contains `now`; the group stays and is flushed when the window ends. A firing alert whose
// `ends_at` passes becomes resolved at that moment (Alertmanager's resolve_timeout).
// Re-sent firing alerts (same fingerprint, still firing) change nothing: they are not
// notified again before repeat_interval. Resolved alerts leave the group once notified (or
// at once when their firing never was); an empty group is deleted.
//
// Time is always passed in (`now`); nothing here reads a clock or sleeps. Timers are one
// min-heap of group deadlines per dispatcher (lazy deletion), not a timer per group.
//
// Thread: the tenant's home shard only; not thread-safe. No errors: what cannot be done is
// counted in stats().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/alert_release.hpp"
#include "alertgate/tenant_policy.hpp"
#include "alertgate/time.hpp"

namespace alertgate {

struct Notification {
  std::shared_ptr<const TenantPolicy> policy;  // keeps `rule` alive across reloads
  const Rule* rule = nullptr;                  // into *policy (the default rule included)
  std::uint64_t group_key = 0;  // hash of rule key + group labels; stable across reloads
  LabelSet group_labels;        // the group_by labels (absent ones omitted); all labels of the
                                // alert for an ungrouped rule or group_by ["..."]
  std::vector<Alert> alerts;    // firing alerts first, then resolved ones; `status` set
  std::size_t firing = 0;       // alerts[0, firing) are firing
  TimePoint at{};
};

// One group's notification log (what Alertmanager keeps in its nflog): when it last
// notified and which fingerprints it notified firing without having notified their resolve.
// Kept across restarts so a new process neither repeats what the last one sent nor loses
// a resolve of an alert it never saw firing.
struct NotifiedGroup {
  std::uint64_t key = 0;  // Notification::group_key: hash of rule key + group labels
  TimePoint last_notify{};
  std::vector<std::uint64_t> firing;  // fingerprints, sorted
  friend bool operator==(const NotifiedGroup&, const NotifiedGroup&) = default;
};

struct DispatcherSettings {
  // Active (firing) fingerprints kept; a new fingerprint beyond it is counted as
  // `dropped_active_limit` and not routed. Ingest refuses with 429 before this is reached
  // when the tenant has `max_active_alerts`; this is the hard backstop.
  std::size_t max_active_alerts = 1'000'000;
  std::size_t history_fingerprints = 100'000;  // AlertHistory bound
  // durability: wal: told when an alert's log record is no longer needed (alert_release.hpp).
  AlertReleaser* releaser = nullptr;
};

struct DispatcherStats {
  std::uint64_t routed = 0;                // alert joined at least one group
  std::uint64_t unrouted = 0;              // no rule and no default rule
  std::uint64_t deduplicated = 0;          // re-sends that changed nothing
  std::uint64_t inhibited = 0;             // firing alerts left out of a flush by inhibition
  std::uint64_t muted_flushes = 0;         // flushes held by mute_when
  std::uint64_t expired = 0;               // firing alerts resolved by ends_at passing
  std::uint64_t dropped_active_limit = 0;  // see DispatcherSettings::max_active_alerts
  std::uint64_t notifications = 0;
  std::uint64_t notified_alerts = 0;
};

class TenantDispatcher {
 public:
  TenantDispatcher(std::shared_ptr<const TenantPolicy> policy, DispatcherSettings settings);
  ~TenantDispatcher();
  TenantDispatcher(const TenantDispatcher&) = delete;
  TenantDispatcher& operator=(const TenantDispatcher&) = delete;

  // A reload: later alerts route by `policy`. Groups whose rule key still exists in the new
  // policy are re-pointed at the new rule (state and timers kept, so nothing is notified
  // twice); groups of a rule that is gone keep their old rule until they are empty. An
  // unchanged policy (same content_hash) changes nothing. The history is kept.
  void set_policy(std::shared_ptr<const TenantPolicy> policy);
  const std::shared_ptr<const TenantPolicy>& policy() const;

  // Takes one accepted alert (first rating pass done: severity, status, fingerprint set)
  // and appends the notifications due at `now` to `out`.
  void ingest(Alert alert, TimePoint now, std::vector<Notification>& out);

  // Flushes every group due at or before `now` (and resolves expired alerts) into `out`.
  void advance(TimePoint now, std::vector<Notification>& out);

  // Shutdown: flushes every group with unsent changes now, without waiting out group_wait or
  // group_interval (mute_when still holds). Repeats and expiries are left alone.
  void flush_pending(TimePoint now, std::vector<Notification>& out);

  // The notification log: every group that notified (and seeded entries not used yet).
  void notified_groups(std::vector<NotifiedGroup>& out) const;
  // What an earlier process notified. A group that has not notified in this process yet
  // and finds its key here counts those fingerprints as notified at last_notify: they are
  // not notified again before repeat_interval (only new alerts are). A resolve of such a
  // fingerprint is notified even though this process never saw the alert firing. Entries
  // older than kNotifiedRetention at `now` are dropped (Alertmanager keeps its nflog 120h).
  void seed(const std::vector<NotifiedGroup>& groups, TimePoint now);
  static constexpr std::chrono::hours kNotifiedRetention{120};

  // The earliest time advance() has work to do; nullopt when there is none.
  std::optional<TimePoint> next_deadline() const;

  std::size_t active_alerts() const;  // firing fingerprints in the active table
  std::size_t group_count() const;
  const DispatcherStats& stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace alertgate
