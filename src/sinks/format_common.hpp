// Private to the destination formats (format_*.cpp): the alerts a destination actually gets
// (send_resolved, max_alerts applied) with their template data, and the text helpers every
// format shares — one JSON writer, UTF-8-safe cutting, markup escapes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/destination_format.hpp"
#include "alertgate/template.hpp"

namespace alertgate::format_detail {

// What one request says: the alerts of one notification (or a webhook batch) that the
// destination gets, firing first. Holds pointers into the notifications and into itself
// (`data`), so it is neither copied nor moved.
class AlertView {
 public:
  AlertView(std::span<const Notification* const> batch, const Destination& d,
            const FormatContext& ctx, std::size_t max_alerts = 0);
  AlertView(const Notification& n, const Destination& d, const FormatContext& ctx);
  AlertView(const AlertView&) = delete;
  AlertView& operator=(const AlertView&) = delete;

  bool empty() const { return alerts.empty(); }
  bool any_firing() const { return firing > 0; }
  std::string_view status() const { return firing > 0 ? "firing" : "resolved"; }

  std::vector<const Alert*> alerts;  // firing first
  std::size_t firing = 0;            // alerts[0, firing) are firing
  std::size_t truncated = 0;         // left out by max_alerts
  LabelSet common_labels;
  LabelSet common_annotations;
  std::string receiver;
  TemplateData data;  // `.first`: the highest-rated firing alert, else alerts[0]
};

// Fills `data` for `alerts` (firing first, `firing` of them firing).
void fill_template_data(std::span<const Alert* const> alerts, std::size_t firing,
                        TemplateData& data, LabelSet& common_labels, LabelSet& common_annotations);

// --- JSON (every string through append_json_string) ---
void append_json_labels(std::string& out, const LabelSet& set);
void append_json_time(std::string& out, TimePoint t);
// `,"key":"value"` (the key is a trusted ASCII literal).
void append_json_field(std::string& out, std::string_view key, std::string_view value);

// --- text ---
// Replaces every byte that is not part of valid UTF-8 with U+FFFD.
void sanitize_utf8(std::string& s);
// UTF-8 characters in `s` (lead bytes; `s` should be sanitized).
std::size_t utf8_length(std::string_view s);
// Cuts `s` to at most `max_chars` characters, the last being "…" when something was cut;
// never splits a character. True when it cut.
bool cut_utf8(std::string& s, std::size_t max_chars);
// "&amp;", "&lt;", "&gt;" for & < > (Slack mrkdwn, and with `quote` also "&quot;" for HTML).
void append_markup_escaped(std::string& out, std::string_view text, bool quote = false);
void escape_slack(std::string& out, std::string_view value);
void escape_html(std::string& out, std::string_view value);

// The first alert's value of label `name`, else "".
std::string_view first_label(const AlertView& v, std::string_view name);
std::string_view first_annotation(const AlertView& v, std::string_view name);
// What the notification is about, for default titles: the common `alertname`, else the
// group label values joined by " ", else the first alert's alertname.
std::string subject_name(const AlertView& v, const Notification& n);
// "[FIRING:2] HighCPU" / "[RESOLVED] HighCPU".
std::string default_title(const AlertView& v, const Notification& n);
// "<tenant_id>-<group_key as 16 hex>" (PagerDuty dedup_key, Opsgenie alias).
std::string delivery_key(const FormatContext& ctx, const Notification& n);
std::string hex16(std::uint64_t v);
// Unix seconds of `t`.
std::int64_t unix_seconds(TimePoint t);

inline constexpr std::string_view kJson = "application/json";

// Empties a spec for the next request; capacity is kept (the caller reuses one per shard).
inline void reset(HttpRequestSpec& spec) {
  spec.url.clear();
  spec.headers.clear();
  spec.body.clear();
}

}  // namespace alertgate::format_detail
