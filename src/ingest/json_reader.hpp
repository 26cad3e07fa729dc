// JsonReader: the state of one decode call and the helpers every wire format shares —
// offsets, error messages with field paths, strings with size limits, RFC 3339 times,
// label/annotation objects and raw JSON values. Internal to the ingest stage.
//
// Owned by a Decoder call on the reactor thread that received the request; not thread-safe.
// Views it hands out point into the request body or the simdjson parser's string buffer and
// are only valid until the Decoder call returns: callers copy into the Alert.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/decode.hpp"
#include "alertgate/time.hpp"
#include "ingest/key_set.hpp"

namespace alertgate::ingest {

namespace od = simdjson::ondemand;

// What a helper did with one JSON value.
enum class Step : std::uint8_t {
  ok,       // decoded
  invalid,  // broke a rule: one error recorded; the current alert is rejected, JSON still readable
  fatal,    // JSON syntax error: recorded; nothing after it can be read
};

// Where a value sits inside the alert being decoded, for error messages. Rendered as
// `alerts[3].labels.severity` (non-identifier names as `labels["a b"]`). Both parts may be
// empty; the `alerts[i]` prefix comes from the reader.
struct Path {
  std::string_view parent;  // "labels", "payload", ... or empty at the alert's top level
  std::string_view member;  // field or label name, or empty
};

// A label or annotation read but not yet copied into its Alert.
struct PendingLabel {
  std::string_view name;   // in the parser's string buffer
  std::string_view value;  // in the parser's string buffer
  std::size_t key_offset;  // the name's opening quote, for a duplicate error
};

// Scratch state reused across requests (one per Decoder), so the steady state allocates
// only what the Alerts keep.
struct Scratch {
  KeySet fields;  // unknown keys of the alert / event object
  KeySet inner;   // keys of a nested object (PagerDuty payload)
  std::vector<PendingLabel> pending;
};

class JsonReader {
 public:
  JsonReader(std::string_view body, const DecodeLimits& limits, DecodeReport& report,
             Scratch& scratch)
      : body_(body), limits_(limits), report_(report), scratch_(scratch) {}

  const DecodeLimits& limits() const { return limits_; }
  DecodeReport& report() { return report_; }
  Scratch& scratch() { return scratch_; }
  std::string_view body() const { return body_; }
  void set_document(od::document* doc) { doc_ = doc; }

  // The alert being decoded: `in_array` prefixes messages with `alerts[index]`.
  void enter_alert(std::size_t index, bool in_array) {
    index_ = index;
    in_array_ = in_array;
  }
  std::size_t alert_index() const { return index_; }

  // --- byte offsets in the body ---
  std::size_t offset_of(const char* p) const;
  std::size_t offset_of(od::value& v) { return offset_of(v.raw_json_token().data()); }
  // Offset of the first non-whitespace byte (where the root value starts).
  std::size_t root_offset() const;

  // --- errors ---
  // Records a per-alert error `<alerts[i].><path>: <problem>` and returns Step::invalid.
  Step fail(std::size_t offset, const Path& path, std::string_view problem);
  // Records a JSON syntax error for the current alert (position from the document, or `at`)
  // and returns Step::fatal.
  Step syntax_error(simdjson::error_code error, const char* at = nullptr);
  // Records the single error of an unusable body (index kBodyError).
  void body_error(std::size_t offset, std::string message);

  // --- values ---
  // The key of `field` (unescaped only if it has escapes) and the offset of its opening quote.
  // A bad escape is reported against `where`.
  Step read_key(od::field& field, const Path& where, std::size_t& key_at, std::string_view& key);
  // A JSON string of at most `max_bytes` (after unescaping). With `nullable`, null gives
  // an empty `out` and Step::ok.
  Step get_string(od::value& v, const Path& path, std::size_t max_bytes, std::string_view& out,
                  bool nullable = false);
  // An RFC 3339 string or null. null, and Go's zero time, give TimePoint{}.
  Step get_time(od::value& v, const Path& path, TimePoint& out);
  // An object (type-checked). `is_null` is set for null, which is allowed only if the
  // caller says so.
  Step get_object(od::value& v, const Path& path, od::object& out, bool& is_null);
  // A label object (kind "labels": Prometheus names, string values) or an annotation object
  // (kind "annotations": any non-empty name) into the empty `out`, sorted by name; null
  // gives nothing. Rejects duplicates, bad names, non-string values and every limit.
  // The names are collected as views, sorted, checked for duplicates, then copied once.
  Step read_labels(od::value& v, std::string_view kind, LabelSet& out);
  // Re-serialises any JSON value as minified JSON (validating it on the way), at most
  // max_annotation_value_bytes and kMaxJsonDepth levels deep.
  Step write_json(od::value& v, const Path& path, std::string& out);

  static constexpr int kMaxJsonDepth = 64;

 private:
  std::string render(const Path& path, std::string_view problem) const;
  // Length of the string whose contents start at `p` (after the opening quote), or npos if
  // a backslash comes first and the string must be unescaped.
  std::size_t plain_string_length(const char* p) const;
  Step write_json_at(od::value& v, const Path& path, std::string& out, int depth);

  std::string_view body_;
  const DecodeLimits& limits_;
  DecodeReport& report_;
  Scratch& scratch_;
  od::document* doc_ = nullptr;
  std::size_t index_ = 0;
  bool in_array_ = false;
};

// `^[a-zA-Z_][a-zA-Z0-9_]*$`, the Prometheus label name rule.
bool valid_label_name(std::string_view name);
// "a string", "an object", ... for messages.
std::string_view type_name(od::json_type t);
// `text` as a JSON string literal, cut to 64 bytes (on a UTF-8 boundary) for messages.
std::string json_quoted(std::string_view text);

}  // namespace alertgate::ingest
