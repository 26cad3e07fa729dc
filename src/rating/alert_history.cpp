#include <algorithm>
#include <bit>
#include <iterator>
#include <utility>

#include "alertgate/rating_engine.hpp"

namespace alertgate {

namespace {

std::int64_t ns_since_epoch(TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace

AlertHistory::AlertHistory(std::size_t max_fingerprints, std::chrono::nanoseconds retention)
    : max_fingerprints_(std::max<std::size_t>(max_fingerprints, 1)), retention_(retention) {
  // A few buckets up front; the index grows with the tenant (amortised rehashing) instead of
  // reserving max_fingerprints for each of thousands of mostly quiet tenants.
  index_.reserve(std::min<std::size_t>(max_fingerprints_, 256));
}

AlertHistory::Entry& AlertHistory::touch(std::uint64_t fingerprint, bool& is_new) {
  if (auto it = index_.find(fingerprint); it != index_.end()) {
    is_new = false;
    lru_.splice(lru_.begin(), lru_, it->second);
    return *it->second;
  }
  is_new = true;
  if (index_.size() >= max_fingerprints_) {
    // Full: recycle the least recently seen list node and hash node instead of allocating.
    auto node = index_.extract(lru_.back().fingerprint);
    lru_.splice(lru_.begin(), lru_, std::prev(lru_.end()));
    lru_.front() = Entry{};
    lru_.front().fingerprint = fingerprint;
    node.key() = fingerprint;
    node.mapped() = lru_.begin();
    index_.insert(std::move(node));
  } else {
    lru_.emplace_front();
    lru_.front().fingerprint = fingerprint;
    index_.emplace(fingerprint, lru_.begin());
  }
  return lru_.front();
}

AlertHistory::Observation AlertHistory::record(std::uint64_t fingerprint, AlertStatus status,
                                               TimePoint now, const RatingPolicy& policy) {
  bool is_new = false;
  Entry& e = touch(fingerprint, is_new);

  Observation obs;
  if (status == AlertStatus::firing) {
    // A firing seen again within resend_gap while still firing is the source re-sending
    // (Prometheus does so every evaluation), not the problem coming back.
    obs.new_firing = is_new || e.last_status == AlertStatus::resolved ||
                     now - e.last_seen > policy.recurrence.resend_gap;
  }
  obs.status_changed = !is_new && e.last_status != status;
  e.last_status = status;
  e.last_seen = now;

  if (obs.new_firing || obs.status_changed) {
    const std::uint32_t bit = std::uint32_t{1} << e.head;
    e.at[e.head] = ns_since_epoch(now);
    e.firing_bits = obs.new_firing ? (e.firing_bits | bit) : (e.firing_bits & ~bit);
    e.change_bits = obs.status_changed ? (e.change_bits | bit) : (e.change_bits & ~bit);
    e.head = static_cast<std::uint8_t>((e.head + 1) % kHistoryEventsPerFingerprint);
    if (e.count < kHistoryEventsPerFingerprint) ++e.count;
  }

  // Only the slots written so far hold events; the bitmaps are clear elsewhere, so a mask of
  // "young enough" slots combined with each bitmap gives both counts in one pass.
  const std::int64_t t = ns_since_epoch(now);
  const std::int64_t rec_window = policy.recurrence.window.count();
  const std::int64_t flap_window = policy.flapping.window.count();
  std::uint32_t rec_mask = 0, flap_mask = 0;
  for (std::size_t i = 0; i < kHistoryEventsPerFingerprint; ++i) {
    const std::int64_t age = t - e.at[i];
    if (age <= rec_window) rec_mask |= std::uint32_t{1} << i;
    if (age <= flap_window) flap_mask |= std::uint32_t{1} << i;
  }
  obs.firings_in_window = static_cast<std::uint32_t>(std::popcount(e.firing_bits & rec_mask));
  obs.changes_in_window = static_cast<std::uint32_t>(std::popcount(e.change_bits & flap_mask));
  return obs;
}

void AlertHistory::expire(TimePoint now) {
  while (!lru_.empty() && now - lru_.back().last_seen > retention_) {
    index_.erase(lru_.back().fingerprint);
    lru_.pop_back();
  }
}

std::size_t AlertHistory::event_count(std::uint64_t fingerprint) const {
  const auto it = index_.find(fingerprint);
  return it == index_.end() ? 0 : it->second->count;
}

}  // namespace alertgate
