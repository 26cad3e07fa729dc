// PagerDuty Events API v2 (/v2/enqueue): one event per request. Unlike the alert batches,
// every field is checked and every problem reported (there is only one event), and the
// routing key is returned even when the event is invalid: it is the tenant's credential and
// the caller authenticates before it answers 400.
#include <fmt/format.h>

#include "alertgate/alert.hpp"
#include "ingest/formats.hpp"

namespace alertgate::ingest {

namespace {

constexpr std::size_t kMaxDedupKeyBytes = 255;  // PagerDuty's limits
constexpr std::size_t kMaxSummaryChars = 1024;

struct Payload {
  bool sent = false;     // the key was there, not null (maybe not an object: reported)
  bool present = false;  // an object we read
  std::size_t offset = 0;
  // Views into the parser's string buffer; empty when not sent.
  std::string_view summary, source, severity, component, group, klass;
  // Sent at all (a bad value is already reported): no second "required" error.
  bool has_summary = false, has_source = false, has_severity = false;
  TimePoint timestamp{};
  std::string custom_details;  // minified JSON, empty when not sent
};

struct Event {
  bool has_routing_key = false;
  bool routing_key_read = false;  // a string we could read (maybe empty)
  bool has_event_action = false;
  bool event_action_read = false;  // a string we could read (maybe not a valid action)
  std::size_t event_action_offset = 0;
  Payload payload;
  std::string links;
  std::string_view client, client_url;
};

std::size_t count_chars(std::string_view utf8) {
  std::size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool is_null(od::value& v) {
  const std::string_view token = v.raw_json_token();
  return !token.empty() && token.front() == 'n';
}

// Folds one field's Step into the event's: invalid is remembered, fatal stops everything.
bool keep_going(Step s, Step& result) {
  if (s == Step::fatal) {
    result = Step::fatal;
    return false;
  }
  if (s == Step::invalid) result = Step::invalid;
  return true;
}

// Accepts an array or null; anything else is an error.
Step check_array(JsonReader& r, od::value& v, std::string_view name) {
  od::json_type type;
  if (auto error = v.type().get(type)) return r.syntax_error(error, v.raw_json_token().data());
  if (type == od::json_type::array || type == od::json_type::null) return Step::ok;
  return r.fail(r.offset_of(v), {{}, name},
                fmt::format("expected an array, got {}", type_name(type)));
}

// A label-like payload string: a short string or null.
Step read_short(JsonReader& r, od::value& v, const Path& path, std::string_view& out, bool& sent) {
  sent = !is_null(v);
  return r.get_string(v, path, r.limits().max_label_value_bytes, out, /*nullable=*/true);
}

Step read_payload_field(JsonReader& r, std::string_view key, od::value& v, Payload& p) {
  const Path path{"payload", key};
  const std::size_t at = r.offset_of(v);
  bool sent = false;
  if (key == "summary") {
    p.has_summary = !is_null(v);
    Step s = r.get_string(v, path, r.limits().max_annotation_value_bytes, p.summary, true);
    if (s != Step::ok || !p.has_summary) return s;
    const std::size_t chars = count_chars(p.summary);
    if (chars == 0) return r.fail(at, path, "must not be empty");
    if (chars > kMaxSummaryChars) {
      return r.fail(at, path,
                    fmt::format("too long ({} characters, max {})", chars, kMaxSummaryChars));
    }
    return Step::ok;
  }
  if (key == "source") {
    Step s = read_short(r, v, path, p.source, p.has_source);
    if (s == Step::ok && p.has_source && p.source.empty())
      return r.fail(at, path, "must not be empty");
    return s;
  }
  if (key == "severity") {
    Step s = read_short(r, v, path, p.severity, p.has_severity);
    if (s != Step::ok || !p.has_severity) return s;
    if (p.severity != "critical" && p.severity != "error" && p.severity != "warning" &&
        p.severity != "info") {
      return r.fail(
          at, path,
          fmt::format("must be critical, error, warning or info, got {}", json_quoted(p.severity)));
    }
    return Step::ok;
  }
  if (key == "timestamp") return r.get_time(v, path, p.timestamp);
  if (key == "component") return read_short(r, v, path, p.component, sent);
  if (key == "group") return read_short(r, v, path, p.group, sent);
  if (key == "class") return read_short(r, v, path, p.klass, sent);
  if (key == "custom_details") {
    Step s = r.write_json(v, path, p.custom_details);
    if (p.custom_details == "null") p.custom_details.clear();
    return s;
  }
  return Step::ok;  // unknown payload fields are ignored
}

Step read_payload(JsonReader& r, od::value& v, Payload& p) {
  od::object object;
  bool null = false;
  p.offset = r.offset_of(v);
  if (Step s = r.get_object(v, {{}, "payload"}, object, null); s != Step::ok || null) return s;
  p.present = true;
  KeySet& seen = r.scratch().inner;
  seen.clear();
  Step result = Step::ok;
  for (auto field_result : object) {
    if (auto error = field_result.error()) return r.syntax_error(error);
    od::field& field = field_result.value_unsafe();
    std::size_t key_at = 0;
    std::string_view key;
    if (r.read_key(field, {{}, "payload"}, key_at, key) != Step::ok) {
      result = Step::invalid;
      continue;
    }
    if (!seen.insert(key)) {
      result = r.fail(key_at, {"payload", key}, "duplicate field");
      continue;
    }
    if (!keep_going(read_payload_field(r, key, field.value(), p), result)) return result;
  }
  return result;
}

Step read_event_field(JsonReader& r, std::string_view key, od::value& v, Event& e,
                      PagerDutyReport& meta) {
  const DecodeLimits& limits = r.limits();
  const Path path{{}, key};
  std::string_view text;
  Step s = Step::ok;
  if (key == "routing_key") {
    e.has_routing_key = true;
    s = r.get_string(v, path, limits.max_string_bytes, text);
    e.routing_key_read = s == Step::ok;
    if (s == Step::ok) meta.routing_key.assign(text);
  } else if (key == "event_action") {
    e.has_event_action = true;
    e.event_action_offset = r.offset_of(v);
    s = r.get_string(v, path, limits.max_string_bytes, text);
    e.event_action_read = s == Step::ok;
    if (s == Step::ok) meta.event_action.assign(text);
  } else if (key == "dedup_key") {
    s = r.get_string(v, path, kMaxDedupKeyBytes, text, /*nullable=*/true);
    if (s == Step::ok) meta.dedup_key.assign(text);
  } else if (key == "payload") {
    e.payload.sent = !is_null(v);
    s = read_payload(r, v, e.payload);
  } else if (key == "client") {
    s = r.get_string(v, path, limits.max_string_bytes, e.client, true);
  } else if (key == "client_url") {
    s = r.get_string(v, path, limits.max_string_bytes, e.client_url, true);
  } else if (key == "images") {
    s = check_array(r, v, key);  // accepted, not kept
  } else if (key == "links") {
    s = check_array(r, v, key);
    if (s == Step::ok) s = r.write_json(v, path, e.links);
    if (e.links == "null" || e.links == "[]") e.links.clear();
  }  // other fields are ignored, as PagerDuty does
  return s;
}

// Checks that need the whole event (fields come in any order).
Step check_event(JsonReader& r, std::size_t object_offset, const PagerDutyReport& meta,
                 const Event& e) {
  Step result = Step::ok;
  if (!e.has_routing_key) {
    result = r.fail(object_offset, {{}, "routing_key"}, "required");
  } else if (e.routing_key_read && meta.routing_key.empty()) {
    result = r.fail(object_offset, {{}, "routing_key"}, "must not be empty");
  }
  const bool trigger = meta.event_action == "trigger";
  if (!e.has_event_action) {
    result = r.fail(object_offset, {{}, "event_action"}, "required");
  } else if (!e.event_action_read) {
    // wrong type, already reported
  } else if (!trigger && meta.event_action != "acknowledge" && meta.event_action != "resolve") {
    result = r.fail(e.event_action_offset, {{}, "event_action"},
                    fmt::format("must be trigger, acknowledge or resolve, got {}",
                                json_quoted(meta.event_action)));
  } else if (!trigger && meta.dedup_key.empty()) {
    result =
        r.fail(e.event_action_offset, {{}, "dedup_key"}, "required for acknowledge and resolve");
  }
  if (!trigger) return result;
  const Payload& p = e.payload;
  if (!p.present) {
    return p.sent ? result : r.fail(object_offset, {{}, "payload"}, "required for trigger");
  }
  if (!p.has_summary) result = r.fail(p.offset, {"payload", "summary"}, "required");
  if (!p.has_source) result = r.fail(p.offset, {"payload", "source"}, "required");
  if (!p.has_severity) result = r.fail(p.offset, {"payload", "severity"}, "required");
  return result;
}

void build_alert(const PagerDutyReport& meta, const Event& e, TimePoint now, Alert& alert) {
  const Payload& p = e.payload;
  alert.source_format = SourceFormat::pagerduty;
  LabelSet& labels = alert.labels;
  if (!meta.dedup_key.empty()) set_label(labels, "dedup_key", meta.dedup_key);
  if (!p.source.empty()) set_label(labels, "source", p.source);
  if (!p.component.empty()) set_label(labels, "component", p.component);
  if (!p.group.empty()) set_label(labels, "group", p.group);
  if (!p.klass.empty()) set_label(labels, "class", p.klass);
  if (!p.severity.empty()) set_label(labels, "severity", p.severity);
  set_label(labels, "alertname",
            !p.klass.empty()       ? p.klass
            : !p.component.empty() ? p.component
                                   : "pagerduty");

  LabelSet& annotations = alert.annotations;
  set_label(annotations, "pagerduty_event_action", meta.event_action);
  if (!p.summary.empty()) set_label(annotations, "summary", p.summary);
  if (!p.custom_details.empty()) set_label(annotations, "custom_details", p.custom_details);
  if (!e.client.empty()) set_label(annotations, "client", e.client);
  if (!e.client_url.empty()) set_label(annotations, "client_url", e.client_url);
  if (!e.links.empty()) set_label(annotations, "links", e.links);

  alert.starts_at = p.timestamp;
  if (meta.event_action == "resolve") alert.ends_at = now;
  alert.severity_raw.assign(p.severity);
  alert.dedup_key = meta.dedup_key;
}

}  // namespace

Step decode_pagerduty_event(JsonReader& r, od::object& object, std::size_t object_offset,
                            TimePoint now, Alert& alert, PagerDutyReport& meta) {
  Event event;
  event.event_action_offset = object_offset;
  KeySet& seen = r.scratch().fields;
  seen.clear();
  Step result = Step::ok;
  for (auto field_result : object) {
    if (auto error = field_result.error()) return r.syntax_error(error);
    od::field& field = field_result.value_unsafe();
    std::size_t key_at = 0;
    std::string_view key;
    if (r.read_key(field, {}, key_at, key) != Step::ok) {
      result = Step::invalid;
      continue;
    }
    if (!seen.insert(key)) {
      result = r.fail(key_at, {}, "duplicate field " + json_quoted(key));
      continue;
    }
    if (!keep_going(read_event_field(r, key, field.value(), event, meta), result)) return result;
  }
  if (!keep_going(check_event(r, object_offset, meta, event), result) || result != Step::ok) {
    return result;
  }
  build_alert(meta, event, now, alert);
  return Step::ok;
}

}  // namespace alertgate::ingest
