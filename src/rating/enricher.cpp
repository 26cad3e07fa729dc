#include "alertgate/rating.hpp"

namespace alertgate {

namespace {

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool all_zero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

void append_hex(std::string& out, std::uint64_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out.push_back(kHex[(v >> (i * 4)) & 0xf]);
}

}  // namespace

bool valid_traceparent(std::string_view t) {
  // version(2) - trace-id(32) - parent-id(16) - flags(2)
  if (t.size() != 55 || t[2] != '-' || t[35] != '-' || t[52] != '-') return false;
  const auto version = t.substr(0, 2), trace_id = t.substr(3, 32), parent = t.substr(36, 16),
             flags = t.substr(53, 2);
  return is_lower_hex(version) && version != "ff" && is_lower_hex(trace_id) &&
         !all_zero(trace_id) && is_lower_hex(parent) && !all_zero(parent) && is_lower_hex(flags);
}

Enricher::Enricher(RatingSettings settings, std::uint64_t seed)
    : settings_(settings), ids_(seed), rng_(seed ^ 0x9e3779b97f4a7c15ULL) {}

const std::string& Enricher::trace_for(std::string_view traceparent) {
  if (valid_traceparent(traceparent)) {
    last_trace_.assign(traceparent);
    return last_trace_;
  }
  std::string& out = last_trace_;
  out.clear();
  out.reserve(55);
  out.append("00-");
  append_hex(out, rng_() | 1, 16);  // never all zero
  append_hex(out, rng_(), 16);
  out.push_back('-');
  append_hex(out, rng_() | 1, 16);
  out.append("-01");
  return out;
}

void Enricher::enrich(Alert& alert, std::string_view tenant_id, TimePoint received_at,
                      std::string_view traceparent) {
  alert.tenant_id.assign(tenant_id);
  alert.received_at = received_at;
  if (alert.starts_at == TimePoint{}) alert.starts_at = received_at;
  if (alert.ends_at == TimePoint{}) alert.ends_at = received_at + settings_.resolve_timeout;
  // Alertmanager: an alert whose end lies in the past is resolved.
  alert.status = alert.ends_at <= received_at ? AlertStatus::resolved : AlertStatus::firing;
  alert.severity = parse_severity(alert.severity_raw).value_or(kDefaultSeverity);
  alert.rating = settings_.severity_score[static_cast<std::size_t>(alert.severity)];
  // An explicit dedup key is the alert's identity (PagerDuty semantics): a resolve that
  // carries only the key must hit the same fingerprint as its trigger.
  alert.fingerprint = alert.dedup_key.empty() ? fingerprint(alert.labels)
                                              : fingerprint_of_dedup_key(alert.dedup_key);
  alert.alert_id = ids_.next(received_at);
  // The caller usually passes a trace from trace_for() for the whole request.
  if (traceparent.data() == last_trace_.data() || valid_traceparent(traceparent)) {
    alert.trace.assign(traceparent);
  } else {
    alert.trace = trace_for(traceparent);
  }
}

}  // namespace alertgate
