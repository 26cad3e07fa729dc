// Alert: the one value that flows through the pipeline, from decode to delivery.
// An Alert owns all its strings (no view into a request buffer survives decode).
// Plain value type; moved between threads through the tenant queues.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/time.hpp"

namespace alertgate {

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
};

// Sorted by name, names unique (decoders and enrichment keep this invariant).
using LabelSet = std::vector<Label>;

// Returns the value of `name`, or nullptr. `set` must be sorted by name.
const std::string* find_label(const LabelSet& set, std::string_view name);
// Inserts or replaces, keeping the set sorted.
void set_label(LabelSet& set, std::string_view name, std::string_view value);
void sort_labels(LabelSet& set);

enum class Severity : std::uint8_t { critical, error, warning, info };
std::string_view to_string(Severity s);

enum class AlertStatus : std::uint8_t { firing, resolved };
std::string_view to_string(AlertStatus s);

enum class SourceFormat : std::uint8_t { alertmanager_v2, native, pagerduty };
inline constexpr std::size_t kSourceFormatCount = 3;
std::string_view to_string(SourceFormat f);

struct Alert {
  // --- as decoded ---
  LabelSet labels;  // at least one label
  LabelSet annotations;
  TimePoint starts_at{};  // TimePoint{} = not given
  TimePoint ends_at{};    // TimePoint{} = not given (open-ended)
  std::string generator_url;
  std::string severity_raw;  // the severity text as sent (field or label), may be empty
  std::string dedup_key;     // explicit identity (native `dedup_key`, PagerDuty `dedup_key`)
  SourceFormat source_format = SourceFormat::alertmanager_v2;

  // --- set by rating (enrichment) ---
  std::string tenant_id;
  Severity severity = Severity::warning;
  AlertStatus status = AlertStatus::firing;
  std::uint8_t rating = 0;  // 0..100
  std::uint64_t fingerprint = 0;
  std::string alert_id;  // unique, sortable by time (ULID)
  TimePoint received_at{};
  std::string trace;  // W3C traceparent

  // durability: wal only (not part of any wire format): the write-ahead log segment that
  // holds the alert (0 = none) and the shard whose log it is. The shard's router completes
  // the record once the alert reached its dispatcher.
  std::uint64_t wal_segment = 0;
  std::uint32_t wal_shard = 0;
  // Replayed from the write-ahead log (a previous process acknowledged it but had not
  // finished delivering it): a seeded notification log must not count it as notified.
  bool replayed = false;
};

}  // namespace alertgate
