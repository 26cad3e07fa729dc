// Rating (second pass): boosts, recurrence and flapping on top of the severity base score.
// Run by each tenant's TenantDispatcher on its home shard; see docs/rating.md, section
// "Boosts, recurrence and flapping".
//
// Threads: RatingEngine is immutable after construction, so `rate` may run on any thread;
// the AlertHistory it is given is per-tenant state owned by the tenant's home shard and
// must only be used from that shard's thread (no locks). Time is always passed in (`now`);
// nothing here reads a clock, sleeps or allocates beyond the history's bounds.
// Nothing here fails: the policy loader validates the settings (bounds noted below).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/matcher.hpp"
#include "alertgate/rating_policy.hpp"
#include "alertgate/time.hpp"

namespace alertgate {

// Events kept per fingerprint; older events are overwritten.
inline constexpr std::size_t kHistoryEventsPerFingerprint = 32;

// Recent events per fingerprint for one tenant, bounded in memory.
//
// Owns, per tracked fingerprint: the last status and time it was seen, and a ring of the
// last kHistoryEventsPerFingerprint events (a new firing and/or a status change, each with
// its time). Re-sends only refresh "last seen"; they record no event.
//
// Bounds: at most `max_fingerprints` are tracked; recording a new one when full evicts the
// least recently seen (O(1): LRU list + hash map; the evicted list and hash nodes are reused, so a
// full history allocates nothing). Memory per tracked fingerprint on 64-bit libstdc++: 336 bytes
// (about 370 with malloc headers) = 288 for the entry (32 x 8-byte event times, two 32-bit
// event bitmaps, fingerprint, last-seen time, ring position, count and status) + 16 list
// links + 24 hash node (key, iterator, next pointer; integer keys cache no hash) + 8 bucket
// pointer (the index grows with use; 256 buckets are reserved up front).
//
// Thread: the tenant's home shard only; not thread-safe. No errors.
class AlertHistory {
 public:
  // What record() saw; the counts include the event just recorded.
  struct Observation {
    bool new_firing = false;
    bool status_changed = false;
    std::uint32_t firings_in_window = 0;  // new firings with age <= recurrence.window
    std::uint32_t changes_in_window = 0;  // status changes with age <= flapping.window
  };

  // `max_fingerprints` >= 1. `retention`: how long expire() keeps a fingerprint after it was
  // last seen (use RatingPolicy::retention()).
  AlertHistory(std::size_t max_fingerprints, std::chrono::nanoseconds retention);

  // Records that `fingerprint` was seen with `status` at `now` (classifying it with
  // policy.recurrence.resend_gap) and counts its recent events with the policy's windows.
  // The fingerprint becomes the most recently seen.
  Observation record(std::uint64_t fingerprint, AlertStatus status, TimePoint now,
                     const RatingPolicy& policy);

  // Drops fingerprints last seen more than `retention` before `now`. O(number dropped):
  // walks the LRU list from its least recently seen end (with a monotonic `now` that is
  // exactly the oldest-first order).
  void expire(TimePoint now);

  std::size_t size() const { return index_.size(); }
  std::size_t max_fingerprints() const { return max_fingerprints_; }
  bool contains(std::uint64_t fingerprint) const { return index_.count(fingerprint) != 0; }
  // Events currently held for `fingerprint` (0 when not tracked); <= kHistoryEventsPerFingerprint.
  std::size_t event_count(std::uint64_t fingerprint) const;

 private:
  struct Entry {
    std::array<std::int64_t, kHistoryEventsPerFingerprint> at{};  // ns since epoch
    std::uint32_t firing_bits = 0;                                // bit i: event i is a new firing
    std::uint32_t change_bits = 0;  // bit i: event i is a status change
    std::uint64_t fingerprint = 0;
    TimePoint last_seen{};
    std::uint8_t head = 0;   // next slot to write
    std::uint8_t count = 0;  // events held
    AlertStatus last_status = AlertStatus::firing;
  };
  static_assert(kHistoryEventsPerFingerprint == 32, "event bitmaps are 32-bit");
  using Lru = std::list<Entry>;  // front: most recently seen

  Entry& touch(std::uint64_t fingerprint, bool& is_new);

  std::size_t max_fingerprints_;
  std::chrono::nanoseconds retention_;
  Lru lru_;
  std::unordered_map<std::uint64_t, Lru::iterator> index_;
};

// Applies the second rating pass. Holds a copy of the policy; immutable, any thread.
class RatingEngine {
 public:
  explicit RatingEngine(const RatingPolicy& policy);

  // Records the alert in `history` and sets `alert.rating` to
  //   clamp(severity_score[severity] + sum(matching boosts)
  //         + min(per_repeat * earlier new firings in window, max)
  //         + (flapping ? flapping.boost : 0), 0, 100)
  // where "earlier new firings" excludes the firing that started the alert's current episode.
  // A flapping alert also gets the label flapping="true" (its fingerprint is not recomputed;
  // a non-flapping alert's labels are left alone). Needs `alert.severity`, `status` and
  // `fingerprint` set (first pass, Enricher).
  void rate(Alert& alert, AlertHistory& history, TimePoint now) const;

  const RatingPolicy& policy() const { return policy_; }

 private:
  RatingPolicy policy_;
};

}  // namespace alertgate
