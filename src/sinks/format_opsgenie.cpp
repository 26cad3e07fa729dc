// Opsgenie Alert API: create while firing, close (by alias) once everything is resolved.
#include <fmt/format.h>

#include <iterator>

#include "alertgate/json_text.hpp"
#include "format_common.hpp"

namespace alertgate {

namespace fd = format_detail;

namespace {

constexpr std::string_view kDefaultUrl = "https://api.opsgenie.com";
constexpr std::size_t kMaxMessage = 130;
constexpr std::size_t kMaxAlias = 512;
constexpr std::size_t kMaxDescription = 15000;
constexpr std::size_t kMaxTag = 50;

std::string_view priority(int rating) {
  if (rating >= 90) return "P1";
  if (rating >= 70) return "P2";
  if (rating >= 50) return "P3";
  if (rating >= 25) return "P4";
  return "P5";
}

// RFC 3986 unreserved characters stay, everything else is %XX.
std::string url_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (keep) {
      out.push_back(c);
    } else {
      fmt::format_to(std::back_inserter(out), "%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string description(const fd::AlertView& v) {
  std::string out;
  for (std::size_t i = 0; i < v.alerts.size(); ++i) {
    const Alert& a = *v.alerts[i];
    const std::string* name = find_label(a.labels, "alertname");
    const std::string* summary = find_label(a.annotations, "summary");
    fmt::format_to(std::back_inserter(out), "[{}] {} (severity {}, rating {})\n",
                   i < v.firing ? "firing" : "resolved", name != nullptr ? *name : "",
                   to_string(a.severity), a.rating);
    if (summary != nullptr) fmt::format_to(std::back_inserter(out), "{}\n", *summary);
    for (const Label& l : a.labels)
      fmt::format_to(std::back_inserter(out), "  {}={}\n", l.name, l.value);
    if (!a.generator_url.empty())
      fmt::format_to(std::back_inserter(out), "  {}\n", a.generator_url);
  }
  return out;
}

}  // namespace

void format_opsgenie(const Notification& n, const Destination& d, const FormatContext& ctx,
                     HttpRequestSpec& spec) {
  fd::reset(spec);
  const fd::AlertView v(n, d, ctx);
  if (v.empty()) return;

  std::string base = d.url.empty() ? std::string(kDefaultUrl) : d.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string alias = fd::delivery_key(ctx, n);
  fd::cut_utf8(alias, kMaxAlias);  // tenant ids are <= 63 characters: never cut in practice
  spec.headers.emplace_back("Content-Type", fd::kJson);
  spec.headers.emplace_back("Authorization", "GenieKey " + d.api_key);

  std::string& out = spec.body;
  if (!v.any_firing()) {
    spec.url = base + "/v2/alerts/" + url_escape(alias) + "/close?identifierType=alias";
    out = R"({"source":"alertgate","note":"resolved"})";
    return;
  }
  spec.url = base + "/v2/alerts";

  const Alert& a = *v.data.first;
  std::string message;
  if (!d.title.empty()) {
    d.title.render(v.data, message);
  } else {
    message = fd::subject_name(v, n);
    const std::string_view summary = fd::first_annotation(v, "summary");
    if (!summary.empty()) {
      message.append(": ");
      message.append(summary);
    }
  }
  std::string desc = description(v);
  std::string tenant_tag(ctx.tenant_id);
  for (std::string* s : {&message, &desc}) fd::sanitize_utf8(*s);
  fd::cut_utf8(message, kMaxMessage);
  fd::cut_utf8(desc, kMaxDescription);
  fd::cut_utf8(tenant_tag, kMaxTag);

  out.append("{\"message\":");
  append_json_string(out, message);
  fd::append_json_field(out, "alias", alias);
  fd::append_json_field(out, "description", desc);
  out.append(",\"tags\":[");
  append_json_string(out, tenant_tag);
  out.push_back(',');
  append_json_string(out, to_string(a.severity));
  // Opsgenie details are a map of strings; our keys win over labels of the same name.
  out.append("],\"details\":{\"tenant\":");
  append_json_string(out, ctx.tenant_id);
  fmt::format_to(std::back_inserter(out), R"(,"rating":"{}","firing":"{}","resolved":"{}")",
                 a.rating, v.firing, v.alerts.size() - v.firing);
  for (const Label& l : v.common_labels) {
    if (l.name == "tenant" || l.name == "rating" || l.name == "firing" || l.name == "resolved") {
      continue;
    }
    out.push_back(',');
    append_json_string(out, l.name);
    out.push_back(':');
    append_json_string(out, l.value);
  }
  out.push_back('}');
  const std::string_view instance = fd::first_label(v, "instance");
  if (!instance.empty()) fd::append_json_field(out, "entity", instance);
  fd::append_json_field(out, "source", "alertgate");
  fd::append_json_field(out, "priority", priority(a.rating));
  out.push_back('}');
  return;
}

}  // namespace alertgate
