#include "alertgate/alert_json.hpp"

#include <fmt/format.h>

#include "alertgate/json_text.hpp"
#include "alertgate/rating.hpp"

namespace alertgate {

namespace {

void append_labels(std::string& out, const LabelSet& set) {
  out.push_back('{');
  bool first = true;
  for (const auto& l : set) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, l.name);
    out.push_back(':');
    append_json_string(out, l.value);
  }
  out.push_back('}');
}

void append_time(std::string& out, TimePoint t) {
  out.push_back('"');
  append_rfc3339(out, t);
  out.push_back('"');
}

}  // namespace

void append_alert_json(std::string& out, const Alert& a) {
  out.append("{\"alert_id\":");
  append_json_string(out, a.alert_id);
  out.append(",\"tenant_id\":");
  append_json_string(out, a.tenant_id);
  out.append(",\"fingerprint\":\"");
  out.append(fingerprint_hex(a.fingerprint));
  out.append("\",\"status\":\"");
  out.append(to_string(a.status));
  out.append("\",\"severity\":\"");
  out.append(to_string(a.severity));
  out.append("\",\"rating\":");
  fmt::format_to(std::back_inserter(out), "{}", a.rating);
  out.append(",\"labels\":");
  append_labels(out, a.labels);
  out.append(",\"annotations\":");
  append_labels(out, a.annotations);
  out.append(",\"startsAt\":");
  append_time(out, a.starts_at);
  out.append(",\"endsAt\":");
  append_time(out, a.ends_at);
  if (!a.generator_url.empty()) {
    out.append(",\"generatorURL\":");
    append_json_string(out, a.generator_url);
  }
  if (!a.dedup_key.empty()) {
    out.append(",\"dedup_key\":");
    append_json_string(out, a.dedup_key);
  }
  out.append(",\"received_at\":");
  append_time(out, a.received_at);
  out.append(",\"source_format\":\"");
  out.append(to_string(a.source_format));
  out.append("\",\"traceparent\":");
  append_json_string(out, a.trace);
  out.push_back('}');
}

}  // namespace alertgate
