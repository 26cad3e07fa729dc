// Decoding the enriched alert JSON (shared/formats/README.md "Enriched alert"): the value of
// a Kafka message written by append_alert_json (alert_json.hpp) on an ingest node and read
// back by a router. The inverse of append_alert_json: every field it writes comes back
// equal (labels and annotations sorted, times to the nanosecond, Go's zero time
// "0001-01-01T00:00:00Z" = TimePoint{} = not given). severity_raw, wal_segment and
// wal_shard are not on the wire and stay empty/0.
//
// Threads: an EnrichedAlertDecoder owns a reused simdjson parser and a padded copy buffer;
// one per thread, not thread-safe. decode_enriched_alert() uses one per calling thread.
//
// Errors: untrusted input never throws. The error's `offset` is the byte offset in `json`
// of the offending value or key, `message` names the field (`labels.team: expected a
// string, got a number`), `index` is always DecodeError::kBodyError (one alert per value).
// Rules: the root is one object; unknown fields are ignored (a newer writer may add some)
// but duplicate fields are errors; required: alert_id, tenant_id, fingerprint (16
// lowercase hex digits), status (firing|resolved), severity (critical|error|warning|info),
// rating (integer 0..100), labels (at least one, Prometheus names), received_at,
// source_format (alertmanager_v2|native|pagerduty). Optional: annotations, startsAt,
// endsAt (RFC 3339 or null), generatorURL, dedup_key, traceparent (strings or null).
#pragma once

#include <memory>
#include <string_view>

#include "alertgate/alert.hpp"
#include "alertgate/decode.hpp"
#include "alertgate/result.hpp"

namespace alertgate {

// The limits for enriched alerts: the request limits, with room for what enrichment may add
// to an alert that was at a request limit (native `source` → a label, `summary` → an
// annotation), so no alert an ingest node accepted is refused by a router.
DecodeLimits enriched_alert_limits();

class EnrichedAlertDecoder {
 public:
  explicit EnrichedAlertDecoder(DecodeLimits limits = enriched_alert_limits());
  ~EnrichedAlertDecoder();
  EnrichedAlertDecoder(const EnrichedAlertDecoder&) = delete;
  EnrichedAlertDecoder& operator=(const EnrichedAlertDecoder&) = delete;

  // Copies `json` into a padded buffer (simdjson reads past the end; a Kafka message's
  // payload has no padding), decodes it into an owning Alert.
  Result<Alert, DecodeError> decode(std::string_view json);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// decode() of a thread_local EnrichedAlertDecoder with the default limits.
Result<Alert, DecodeError> decode_enriched_alert(std::string_view json);

}  // namespace alertgate
