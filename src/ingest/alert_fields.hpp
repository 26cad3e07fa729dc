// The fields of Alertmanager API v2 and native alert objects, the shared field readers and
// the checks run once an alert object has been read. Internal to the ingest stage; used by
// alertmanager_v2.cpp and native.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "alertgate/alert.hpp"
#include "ingest/json_reader.hpp"

namespace alertgate::ingest {

// Every field name either format knows. Alertmanager reads the shared ones (labels ..
// generator_url) and ignores the rest; native reads all and rejects `unknown`.
enum class AlertField : std::uint8_t {
  unknown,
  labels,
  annotations,
  starts_at,
  ends_at,
  generator_url,
  severity,   // native only
  summary,    // native only
  source,     // native only
  dedup_key,  // native only
};

// Which field `key` names (exact, case-sensitive match).
AlertField alert_field(std::string_view key);
inline bool is_shared(AlertField f) {
  return f != AlertField::unknown && f <= AlertField::generator_url;
}

// What we learn about an alert object while reading it, for the checks at its end.
struct AlertDraft {
  std::size_t object_offset = 0;  // the alert object's `{`
  std::size_t labels_offset = 0;  // the labels value, when present
  std::size_t ends_offset = 0;    // the endsAt value, when present
  bool has_labels = false;
};

// Reads the value of a shared field (is_shared(id)) into `alert`.
Step read_shared_field(JsonReader& r, AlertField id, od::value& value, Alert& alert,
                       AlertDraft& draft);

// Checks run after the whole object: at least one label, endsAt not before startsAt.
Step finish_alert(JsonReader& r, const Alert& alert, const AlertDraft& draft);

// Reads the fields of a JSON object in order: `classify(key)` names each (an enum whose
// `unknown` is for names it does not know), `on_field(id, key, key_offset, value)` returns
// the Step for that field (it may leave an unknown field unread). Rejects duplicate keys:
// known ones through a bit mask, unknown ones through the scratch KeySet. `seen` gets a bit
// per field id met (1 << id), for the caller's required-field check.
template <class Classify, class OnField>
Step for_each_field(JsonReader& r, od::object& object, Classify&& classify, std::uint32_t& seen,
                    OnField&& on_field) {
  KeySet& unknown = r.scratch().fields;
  unknown.clear();
  seen = 0;
  for (auto field_result : object) {
    if (auto error = field_result.error()) return r.syntax_error(error);
    od::field& field = field_result.value_unsafe();
    std::size_t key_at = 0;
    std::string_view key;
    if (Step s = r.read_key(field, {}, key_at, key); s != Step::ok) return s;
    const auto id = classify(key);
    const std::uint32_t bit = 1U << static_cast<unsigned>(id);
    const bool duplicate = id == decltype(id)::unknown ? !unknown.insert(key) : (seen & bit) != 0;
    if (duplicate) return r.fail(key_at, {}, "duplicate field " + json_quoted(key));
    seen |= bit;
    if (Step s = on_field(id, key, key_at, field.value()); s != Step::ok) return s;
  }
  return Step::ok;
}

// An alert object's fields (AlertField).
template <class OnField>
Step for_each_field(JsonReader& r, od::object& object, OnField&& on_field) {
  std::uint32_t seen = 0;
  return for_each_field(r, object, alert_field, seen, std::forward<OnField>(on_field));
}

}  // namespace alertgate::ingest
