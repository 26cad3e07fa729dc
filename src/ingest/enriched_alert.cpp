// The enriched alert JSON back into an Alert: the inverse of append_alert_json. Reuses the
// request decoders' JsonReader (offsets, field paths, strings, RFC 3339 times, label
// objects), so the same input rules and messages apply.
#include "alertgate/enriched_alert.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "ingest/alert_fields.hpp"
#include "ingest/body.hpp"
#include "ingest/json_reader.hpp"

namespace alertgate {

namespace {

using ingest::JsonReader;
using ingest::Path;
using ingest::Step;
namespace od = simdjson::ondemand;

enum class Field : std::uint8_t {
  alert_id,
  tenant_id,
  fingerprint,
  status,
  severity,
  rating,
  labels,
  annotations,
  starts_at,
  ends_at,
  generator_url,
  dedup_key,
  received_at,
  source_format,
  traceparent,
  unknown,
};

constexpr std::array<std::string_view, 15> kFieldNames{
    "alert_id",     "tenant_id", "fingerprint", "status",        "severity",
    "rating",       "labels",    "annotations", "startsAt",      "endsAt",
    "generatorURL", "dedup_key", "received_at", "source_format", "traceparent"};

constexpr std::uint32_t bit(Field f) { return 1U << static_cast<unsigned>(f); }

// What append_alert_json always writes and a router cannot do without.
constexpr std::uint32_t kRequired = bit(Field::alert_id) | bit(Field::tenant_id) |
                                    bit(Field::fingerprint) | bit(Field::status) |
                                    bit(Field::severity) | bit(Field::rating) | bit(Field::labels) |
                                    bit(Field::received_at) | bit(Field::source_format);

Field field_of(std::string_view key) {
  for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
    if (kFieldNames[i] == key) return static_cast<Field>(i);
  }
  return Field::unknown;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

template <class Enum, std::size_t N>
bool parse_enum(std::string_view text, const std::array<Enum, N>& values, Enum& out) {
  for (Enum v : values) {
    if (to_string(v) == text) {
      out = v;
      return true;
    }
  }
  return false;
}

constexpr std::array kStatuses{AlertStatus::firing, AlertStatus::resolved};
constexpr std::array kSeverities{Severity::critical, Severity::error, Severity::warning,
                                 Severity::info};
constexpr std::array kFormats{SourceFormat::alertmanager_v2, SourceFormat::native,
                              SourceFormat::pagerduty};

// Reads one of the enum fields; `allowed` lists the spellings for the message.
template <class Enum, std::size_t N>
Step read_enum(JsonReader& r, od::value& v, std::string_view name,
               const std::array<Enum, N>& values, std::string_view allowed, Enum& out) {
  const std::size_t at = r.offset_of(v);
  std::string_view text;
  if (Step s = r.get_string(v, {{}, name}, 64, text); s != Step::ok) return s;
  if (!parse_enum(text, values, out)) {
    return r.fail(
        at, {{}, name},
        fmt::format("unknown value {} (expected {})", ingest::json_quoted(text), allowed));
  }
  return Step::ok;
}

Step read_fingerprint(JsonReader& r, od::value& v, std::uint64_t& out) {
  const std::size_t at = r.offset_of(v);
  std::string_view text;
  if (Step s = r.get_string(v, {{}, "fingerprint"}, 64, text); s != Step::ok) return s;
  std::uint64_t fp = 0;
  bool ok = text.size() == 16;
  for (std::size_t i = 0; ok && i < text.size(); ++i) {
    const int d = hex_digit(text[i]);
    ok = d >= 0;
    fp = (fp << 4) | static_cast<std::uint64_t>(d < 0 ? 0 : d);
  }
  if (!ok) {
    return r.fail(
        at, {{}, "fingerprint"},
        fmt::format("expected 16 lowercase hex digits, got {}", ingest::json_quoted(text)));
  }
  out = fp;
  return Step::ok;
}

Step read_rating(JsonReader& r, od::value& v, std::uint8_t& out) {
  const std::size_t at = r.offset_of(v);
  od::json_type type;
  if (auto error = v.type().get(type)) return r.syntax_error(error, v.raw_json_token().data());
  if (type != od::json_type::number) {
    return r.fail(at, {{}, "rating"},
                  fmt::format("expected an integer 0..100, got {}", ingest::type_name(type)));
  }
  std::uint64_t n = 0;
  if (v.get_uint64().get(n) != simdjson::SUCCESS || n > 100) {
    std::string_view token = v.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                              token.back() == '\t')) {
      token.remove_suffix(1);
    }
    return r.fail(at, {{}, "rating"},
                  fmt::format("expected an integer 0..100, got {}", token.substr(0, 32)));
  }
  out = static_cast<std::uint8_t>(n);
  return Step::ok;
}

// A string field copied into `out`; null gives an empty string.
Step read_string(JsonReader& r, od::value& v, std::string_view name, std::string& out) {
  std::string_view text;
  Step s = r.get_string(v, {{}, name}, r.limits().max_string_bytes, text, /*nullable=*/true);
  if (s == Step::ok) out.assign(text);
  return s;
}

Step read_field(JsonReader& r, Field id, od::value& v, Alert& a) {
  switch (id) {
    case Field::alert_id: return read_string(r, v, "alert_id", a.alert_id);
    case Field::tenant_id: return read_string(r, v, "tenant_id", a.tenant_id);
    case Field::fingerprint: return read_fingerprint(r, v, a.fingerprint);
    case Field::status: return read_enum(r, v, "status", kStatuses, "firing|resolved", a.status);
    case Field::severity:
      return read_enum(r, v, "severity", kSeverities, "critical|error|warning|info", a.severity);
    case Field::rating: return read_rating(r, v, a.rating);
    case Field::labels: return r.read_labels(v, "labels", a.labels);
    case Field::annotations: return r.read_labels(v, "annotations", a.annotations);
    case Field::starts_at: return r.get_time(v, {{}, "startsAt"}, a.starts_at);
    case Field::ends_at: return r.get_time(v, {{}, "endsAt"}, a.ends_at);
    case Field::generator_url: return read_string(r, v, "generatorURL", a.generator_url);
    case Field::dedup_key: return read_string(r, v, "dedup_key", a.dedup_key);
    case Field::received_at: return r.get_time(v, {{}, "received_at"}, a.received_at);
    case Field::source_format:
      return read_enum(r, v, "source_format", kFormats, "alertmanager_v2|native|pagerduty",
                       a.source_format);
    case Field::traceparent: return read_string(r, v, "traceparent", a.trace);
    case Field::unknown: break;
  }
  return Step::ok;
}

}  // namespace

namespace {

Step decode_object(JsonReader& r, od::object& object, Alert& alert) {
  std::uint32_t seen = 0;
  std::size_t labels_at = 0;
  const Step s = ingest::for_each_field(
      r, object, field_of, seen, [&](Field id, std::string_view, std::size_t, od::value& value) {
        if (id == Field::unknown) return Step::ok;  // skipped by the next iteration, unread
        if (id == Field::labels) labels_at = r.offset_of(value);
        return read_field(r, id, value, alert);
      });
  if (s != Step::ok) return s;
  if (const std::uint32_t missing = kRequired & ~seen; missing != 0) {
    for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
      if ((missing & (1U << i)) != 0) {
        return r.fail(r.root_offset(), {}, fmt::format("missing field \"{}\"", kFieldNames[i]));
      }
    }
  }
  if (alert.labels.empty())
    return r.fail(labels_at, {{}, "labels"}, "at least one label is required");
  return Step::ok;
}

}  // namespace

DecodeLimits enriched_alert_limits() {
  DecodeLimits limits;
  limits.max_alerts = 1;
  limits.max_labels = 2 * DecodeLimits{}.max_labels;
  return limits;
}

struct EnrichedAlertDecoder::Impl {
  explicit Impl(DecodeLimits l) : limits(l) {}
  DecodeLimits limits;
  od::parser parser;   // reused: its buffers grow to the largest value seen, then stay
  std::string buffer;  // the padded copy of the value being decoded
  ingest::Scratch scratch;
};

EnrichedAlertDecoder::EnrichedAlertDecoder(DecodeLimits limits)
    : impl_(std::make_unique<Impl>(limits)) {}
EnrichedAlertDecoder::~EnrichedAlertDecoder() = default;

Result<Alert, DecodeError> EnrichedAlertDecoder::decode(std::string_view json) {
  std::string& body = impl_->buffer;
  body.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  body.assign(json);
  DecodeReport report;
  JsonReader r(body, impl_->limits, report, impl_->scratch);
  r.enter_alert(0, /*in_array=*/false);
  Alert alert;
  od::document doc;
  od::json_type type;
  if (ingest::open_body(body, impl_->parser, r, doc, type)) {
    if (type != od::json_type::object) {
      ingest::wrong_root_type(r, "a JSON object (one enriched alert)");
    } else {
      od::object object;
      if (auto error = doc.get_object().get(object)) {
        ingest::unbalanced_root(r, error);
      } else if (decode_object(r, object, alert) == Step::ok) {
        ingest::check_body_end(r, doc);
      }
    }
  }
  if (!report.errors.empty()) {
    DecodeError error = std::move(report.errors.front());
    error.index = DecodeError::kBodyError;
    return unexpected(std::move(error));
  }
  return alert;
}

Result<Alert, DecodeError> decode_enriched_alert(std::string_view json) {
  thread_local EnrichedAlertDecoder decoder;
  return decoder.decode(json);
}

}  // namespace alertgate
