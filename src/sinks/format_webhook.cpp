// Alertmanager webhook v4 (the generic `webhook` output) and its HMAC-SHA256 signature.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fmt/format.h>

#include <iterator>

#include "alertgate/json_text.hpp"
#include "format_common.hpp"

namespace alertgate {

namespace fd = format_detail;

namespace {

// Label values the way Alertmanager prints a LabelSet (Go %q): quotes, backslashes and
// newlines escaped. The JSON writer escapes the rest.
void append_go_quoted(std::string& out, std::string_view v) {
  out.push_back('"');
  for (char c : v) {
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      default: out.push_back(c);
    }
  }
  out.push_back('"');
}

void append_label_set_text(std::string& out, const LabelSet& set) {
  out.push_back('{');
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (i != 0) out.append(", ");
    out.append(set[i].name);
    out.push_back('=');
    append_go_quoted(out, set[i].value);
  }
  out.push_back('}');
}

// AM's groupKey is "<route key>:<group labels>", the route key being "{}/{<route matchers>}".
// Our route is (tenant, rule), so: {}/{tenant_id="t42",rule="<rule key hex>"}:{a="b", c="d"}.
std::string group_key_text(const Notification& n, std::string_view tenant_id) {
  std::string out = "{}/{tenant_id=";
  append_go_quoted(out, tenant_id);
  out.append(",rule=\"");
  out.append(fd::hex16(n.rule != nullptr ? n.rule->key : 0));
  out.append("\"}:");
  append_label_set_text(out, n.group_labels);
  return out;
}

void append_alert(std::string& out, const Alert& a, bool firing) {
  out.append("{\"status\":\"");
  out.append(firing ? "firing" : "resolved");
  out.append("\",\"labels\":");
  fd::append_json_labels(out, a.labels);
  out.append(",\"annotations\":");
  fd::append_json_labels(out, a.annotations);
  out.append(",\"startsAt\":");
  fd::append_json_time(out, a.starts_at);
  out.append(",\"endsAt\":");
  fd::append_json_time(out, a.ends_at);
  fd::append_json_field(out, "generatorURL", a.generator_url);
  out.append(",\"fingerprint\":\"");
  out.append(fd::hex16(a.fingerprint));
  fmt::format_to(std::back_inserter(out), "\",\"rating\":{}}}", a.rating);
}

std::string signature(std::string_view secret, TimePoint now, std::string_view body) {
  const std::string t = std::to_string(fd::unix_seconds(now));
  std::string message = t;
  message.push_back('.');
  message.append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  std::string out = "t=" + t + ",v1=";
  for (unsigned int i = 0; i < len; ++i) fmt::format_to(std::back_inserter(out), "{:02x}", mac[i]);
  return out;
}

}  // namespace

void format_webhook(std::span<const Notification* const> batch, const Destination& d,
                    const FormatContext& ctx, HttpRequestSpec& spec) {
  fd::reset(spec);
  if (batch.empty()) return;
  const fd::AlertView v(batch, d, ctx, d.max_alerts);
  if (v.empty()) return;  // nothing to send (see should_send)
  const Notification& head = *batch.front();

  std::string& out = spec.body;
  out.append("{\"version\":\"4\",\"groupKey\":");
  append_json_string(out, group_key_text(head, ctx.tenant_id));
  fmt::format_to(std::back_inserter(out), ",\"truncatedAlerts\":{}", v.truncated);
  fd::append_json_field(out, "status", v.status());
  fd::append_json_field(out, "receiver", v.receiver);
  out.append(",\"groupLabels\":");
  fd::append_json_labels(out, head.group_labels);
  out.append(",\"commonLabels\":");
  fd::append_json_labels(out, v.common_labels);
  out.append(",\"commonAnnotations\":");
  fd::append_json_labels(out, v.common_annotations);
  fd::append_json_field(out, "externalURL", ctx.external_url);
  out.append(",\"alerts\":[");
  for (std::size_t i = 0; i < v.alerts.size(); ++i) {
    if (i != 0) out.push_back(',');
    append_alert(out, *v.alerts[i], i < v.firing);
  }
  out.push_back(']');
  fd::append_json_field(out, "tenant_id", ctx.tenant_id);
  out.push_back('}');

  spec.url = d.url;
  spec.headers.emplace_back("Content-Type", fd::kJson);
  if (!d.secret.empty()) {
    spec.headers.emplace_back("X-Alertgate-Signature", signature(d.secret, ctx.now, out));
  }
  return;
}

}  // namespace alertgate
