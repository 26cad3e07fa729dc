// Rating (first pass): severity normalisation, fingerprint, alert id, received time,
// status and a base rating. Later passes (boosts, recurrence, flapping) build on this.
//
// Severity and fingerprint are pure functions (any thread). AlertIdGenerator and Enricher
// hold per-thread state: one per reactor, not thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "alertgate/alert.hpp"
#include "alertgate/time.hpp"

namespace alertgate {

// Maps the many spellings tools use to our four severities, case-insensitively, ignoring
// surrounding blanks, `-`, `_` and spaces: `crit`, `CRITICAL`, `P1`, `sev1`, `Sev-1`,
// `page`, `fatal` → critical; `warn` → warning; ... (table in docs/rating.md).
// Returns nullopt for text not in the table.
std::optional<Severity> parse_severity(std::string_view text);

// What an alert gets when its severity is missing or not in the table.
inline constexpr Severity kDefaultSeverity = Severity::warning;

// 64-bit XXH3 over the label set sorted by name: name 0xFF value 0xFF ... (0xFF never
// occurs in UTF-8, so no two label sets share an encoding). Stable across restarts,
// processes and machines.
std::uint64_t fingerprint(const LabelSet& sorted_labels);
// The fingerprint of an alert with an explicit dedup key: equal to fingerprint() of the
// label set {dedup_key="<key>"}, whatever other labels the alert has.
std::uint64_t fingerprint_of_dedup_key(std::string_view key);
// 16 lowercase hex digits.
std::string fingerprint_hex(std::uint64_t fp);

// ULIDs (26 chars, Crockford base32): 48-bit millisecond time + 80 random bits, monotonic
// within one generator. One generator per thread.
class AlertIdGenerator {
 public:
  explicit AlertIdGenerator(std::uint64_t seed);
  std::string next(TimePoint now);

 private:
  std::mt19937_64 rng_;
  std::uint64_t last_ms_ = 0;
  std::uint64_t hi_ = 0;  // upper 16 of the 80 random bits
  std::uint64_t lo_ = 0;  // lower 64
};

struct RatingSettings {
  // Alertmanager's resolve_timeout: an alert without endsAt ends this long after receipt.
  std::chrono::nanoseconds resolve_timeout = std::chrono::minutes(5);
  // Base rating per severity, indexed by Severity.
  std::array<std::uint8_t, 4> severity_score{90, 70, 50, 10};
};

// Applies the first rating pass to decoded alerts. One per reactor.
class Enricher {
 public:
  Enricher(RatingSettings settings, std::uint64_t seed);

  // Sets tenant_id, severity, status, rating, fingerprint (of the dedup key when the alert
  // has one, else of the labels), alert_id, received_at and
  // trace. A missing endsAt becomes received_at + resolve_timeout; a missing startsAt
  // becomes received_at. `traceparent` is the request's W3C header (may be empty or
  // invalid, then a new trace is started).
  void enrich(Alert& alert, std::string_view tenant_id, TimePoint received_at,
              std::string_view traceparent);

  // A fresh unique id (ULID) from this enricher's generator.
  std::string next_id(TimePoint now) { return ids_.next(now); }

  // A W3C traceparent for a request: the given one when valid, else a new one. The
  // reference stays valid until the next call; enrich() recognises it and skips
  // re-validating it for every alert of the request.
  const std::string& trace_for(std::string_view traceparent);

 private:
  RatingSettings settings_;
  AlertIdGenerator ids_;
  std::mt19937_64 rng_;
  std::string last_trace_;
};

// True for `00-<32 hex, not all 0>-<16 hex, not all 0>-<2 hex>` (W3C Trace Context).
bool valid_traceparent(std::string_view text);

}  // namespace alertgate
