// RatingPolicy: a tenant's rating settings (`rating:` in the tenant file), as plain data.
// Loaded by the policy stage, applied by RatingEngine (rating_engine.hpp). Immutable once
// loaded; any thread may read it.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include "alertgate/matcher.hpp"

namespace alertgate {

// Tenant-configurable rating settings. Defaults in the member initialisers.
struct RatingPolicy {
  // Base score per severity, indexed by Severity (critical, error, warning, info).
  std::array<std::uint8_t, 4> severity_score{90, 70, 50, 10};

  // `add` (may be negative) applies when every matcher in `match` matches the alert's labels
  // (as received, before the `flapping` label is set); an empty list matches every alert.
  // Every matching boost applies; their sum is added.
  struct Boost {
    std::vector<Matcher> match;
    int add = 0;
  };
  std::vector<Boost> boosts;

  // Each earlier *new firing* (see AlertHistory) of the same fingerprint within `window`
  // adds `per_repeat`, in total at most `max` (both expected >= 0).
  // A firing is a new firing when the fingerprint was last seen resolved, never seen, or
  // not seen for longer than `resend_gap`; otherwise it is a re-send (Prometheus re-sends
  // a firing alert every evaluation, 15-60 s) and does not count.
  struct Recurrence {
    std::chrono::nanoseconds window = std::chrono::hours(1);
    int per_repeat = 5;
    int max = 20;
    std::chrono::nanoseconds resend_gap = std::chrono::minutes(5);
  } recurrence;

  // An alert whose status changed firing<->resolved more than `threshold` times within
  // `window` (counting the change this alert makes) is flapping: it gets the label
  // flapping="true" and `boost` is added. Thresholds >= kHistoryEventsPerFingerprint can
  // never trigger (the history keeps that many events); the loader bounds it.
  struct Flapping {
    std::chrono::nanoseconds window = std::chrono::hours(1);
    int threshold = 4;
    int boost = 10;
  } flapping;

  // How long an AlertHistory must remember a fingerprint for this policy:
  // max(recurrence.window, recurrence.resend_gap, flapping.window).
  std::chrono::nanoseconds retention() const {
    return std::max({recurrence.window, recurrence.resend_gap, flapping.window});
  }
};

}  // namespace alertgate
