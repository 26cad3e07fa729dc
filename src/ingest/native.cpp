// Native alerts (/v1/alerts): the Alertmanager v2 fields plus `severity`, `summary`,
// `source` and `dedup_key`. Strict: an unknown field is an error, so a typo such as
// "lables" is reported instead of silently dropping the labels.
#include <fmt/format.h>

#include "alertgate/alert.hpp"
#include "ingest/alert_fields.hpp"
#include "ingest/formats.hpp"

namespace alertgate::ingest {

namespace {

// PagerDuty's limit, which we share so a native dedup_key can be forwarded unchanged.
constexpr std::size_t kMaxDedupKeyBytes = 255;

}  // namespace

Step decode_native_alert(JsonReader& r, od::object& object, std::size_t object_offset,
                         Alert& alert) {
  alert.source_format = SourceFormat::native;
  AlertDraft draft;
  draft.object_offset = object_offset;
  const DecodeLimits& limits = r.limits();
  // Views into the parser's string buffer: valid for this document.
  std::string_view severity;
  std::string_view summary;
  std::string_view source;

  Step s = for_each_field(
      r, object, [&](AlertField id, std::string_view key, std::size_t key_at, od::value& value) {
        switch (id) {
          case AlertField::severity:
            return r.get_string(value, {{}, "severity"}, limits.max_label_value_bytes, severity,
                                /*nullable=*/true);
          case AlertField::summary:
            return r.get_string(value, {{}, "summary"}, limits.max_annotation_value_bytes, summary,
                                /*nullable=*/true);
          case AlertField::source:
            return r.get_string(value, {{}, "source"}, limits.max_label_value_bytes, source,
                                /*nullable=*/true);
          case AlertField::dedup_key: {
            std::string_view dedup_key;
            Step st = r.get_string(value, {{}, "dedup_key"}, kMaxDedupKeyBytes, dedup_key,
                                   /*nullable=*/true);
            if (st == Step::ok) alert.dedup_key.assign(dedup_key);
            return st;
          }
          case AlertField::unknown:
            return r.fail(key_at, {}, fmt::format("unknown field {}", json_quoted(key)));
          default: return read_shared_field(r, id, value, alert, draft);
        }
      });
  if (s != Step::ok) return s;
  // Labels are required on their own: `source` does not count as the one label.
  if (s = finish_alert(r, alert, draft); s != Step::ok) return s;

  // The explicit top-level fields are shorthands: `summary` overrides annotations.summary,
  // `source` fills labels.source only when the labels do not already have one.
  if (!summary.empty()) set_label(alert.annotations, "summary", summary);
  if (!source.empty() && find_label(alert.labels, "source") == nullptr) {
    set_label(alert.labels, "source", source);
  }
  if (!severity.empty()) {
    alert.severity_raw.assign(severity);
  } else if (const std::string* label = find_label(alert.labels, "severity")) {
    alert.severity_raw = *label;
  }
  return Step::ok;
}

}  // namespace alertgate::ingest
