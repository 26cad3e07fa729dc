// PagerDuty Events API v2: `trigger` while the notification has firing alerts, else
// `resolve` (which needs only routing_key and dedup_key; PagerDuty ignores a payload there).
#include <fmt/format.h>

#include <iterator>

#include "alertgate/json_text.hpp"
#include "format_common.hpp"

namespace alertgate {

namespace fd = format_detail;

namespace {

constexpr std::string_view kDefaultUrl = "https://events.pagerduty.com/v2/enqueue";
constexpr std::size_t kMaxSummary = 1024;

void append_optional(std::string& out, std::string_view key, std::string_view value) {
  if (!value.empty()) fd::append_json_field(out, key, value);
}

}  // namespace

void format_pagerduty(const Notification& n, const Destination& d, const FormatContext& ctx,
                      HttpRequestSpec& spec) {
  fd::reset(spec);
  const fd::AlertView v(n, d, ctx);
  if (v.empty()) return;

  std::string& out = spec.body;
  out.append("{\"routing_key\":");
  append_json_string(out, d.routing_key.empty() ? d.service_key : d.routing_key);
  fd::append_json_field(out, "event_action", v.any_firing() ? "trigger" : "resolve");
  fd::append_json_field(out, "dedup_key", fd::delivery_key(ctx, n));
  if (v.any_firing()) {
    const Alert& a = *v.data.first;
    std::string summary;
    if (!d.title.empty()) {
      d.title.render(v.data, summary);
    } else {
      summary = fd::default_title(v, n);
      const std::string_view text = fd::first_annotation(v, "summary");
      if (!text.empty()) {
        summary.append(": ");
        summary.append(text);
      }
    }
    fd::sanitize_utf8(summary);
    fd::cut_utf8(summary, kMaxSummary);
    const std::string_view instance = fd::first_label(v, "instance");

    out.append(",\"payload\":{\"summary\":");
    append_json_string(out, summary);
    fd::append_json_field(out, "source", instance.empty() ? "alertgate" : instance);
    fd::append_json_field(out, "severity", to_string(a.severity));
    out.append(",\"timestamp\":");
    fd::append_json_time(out, a.starts_at == TimePoint{} ? ctx.now : a.starts_at);
    append_optional(out, "component", fd::first_label(v, "service"));
    append_optional(out, "group", fd::first_label(v, "job"));
    append_optional(out, "class", fd::first_label(v, "alertname"));
    out.append(",\"custom_details\":{\"tenant\":");
    append_json_string(out, ctx.tenant_id);
    fmt::format_to(std::back_inserter(out), ",\"rating\":{},\"firing\":{},\"resolved\":{}",
                   a.rating, v.firing, v.alerts.size() - v.firing);
    out.append(",\"labels\":");
    fd::append_json_labels(out, a.labels);
    out.append("}}");
    fd::append_json_field(out, "client", "alertgate");
    append_optional(out, "client_url", ctx.external_url);
    if (!a.generator_url.empty()) {
      out.append(",\"links\":[{\"href\":");
      append_json_string(out, a.generator_url);
      out.append(",\"text\":\"Source\"}]");
    }
  }
  out.push_back('}');

  spec.url = d.url.empty() ? std::string(kDefaultUrl) : d.url;
  spec.headers.emplace_back("Content-Type", fd::kJson);
  return;
}

}  // namespace alertgate
