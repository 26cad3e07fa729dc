// Slack incoming webhook: {"text": <fallback line>, "blocks": [section, context link]}.
// Slack mrkdwn needs only &, < and > escaped; values are escaped, template literals are the
// tenant's own mrkdwn.
#include <fmt/format.h>

#include <iterator>

#include "alertgate/json_text.hpp"
#include "format_common.hpp"

namespace alertgate {

namespace fd = format_detail;

namespace {

// Slack refuses a section text over 3000 characters; the fallback text gets the same cap.
constexpr std::size_t kMaxText = 3000;

std::string default_section(const fd::AlertView& v) {
  std::string out;
  const Alert* a = v.data.first;
  if (a != nullptr) {
    fmt::format_to(std::back_inserter(out), "*Severity:* {}  *Rating:* {}", to_string(a->severity),
                   a->rating);
  }
  fmt::format_to(std::back_inserter(out), "  *Alerts:* {} firing, {} resolved", v.firing,
                 v.alerts.size() - v.firing);
  for (const auto& [key, title] :
       {std::pair{"summary", "Summary"}, {"description", "Description"}}) {
    const std::string_view text = fd::first_annotation(v, key);
    if (text.empty()) continue;
    fmt::format_to(std::back_inserter(out), "\n*{}:* ", title);
    fd::escape_slack(out, text);
  }
  if (a != nullptr && !a->labels.empty()) {
    out.append("\n*Labels:* ");
    for (std::size_t i = 0; i < a->labels.size(); ++i) {
      if (i != 0) out.append(", ");
      fd::escape_slack(out, a->labels[i].name);
      out.push_back('=');
      fd::escape_slack(out, a->labels[i].value);
    }
  }
  return out;
}

// <url|Source>: a `|` in the URL would end it early, so it is percent-encoded.
std::string link(std::string_view url) {
  std::string out = "<";
  for (char c : url) {
    if (c == '|') {
      out.append("%7C");
    } else {
      fd::escape_slack(out, std::string_view(&c, 1));
    }
  }
  out.append("|Source>");
  return out;
}

}  // namespace

void format_slack(const Notification& n, const Destination& d, const FormatContext& ctx,
                  HttpRequestSpec& spec) {
  fd::reset(spec);
  const fd::AlertView v(n, d, ctx);
  if (v.empty()) return;

  std::string title;
  if (d.title.empty()) {
    fd::escape_slack(title, fd::default_title(v, n));
  } else {
    d.title.render(v.data, title, fd::escape_slack);
  }
  std::string section;
  if (d.text.empty()) {
    section = default_section(v);
  } else {
    d.text.render(v.data, section, fd::escape_slack);
  }
  for (std::string* s : {&title, &section}) {
    fd::sanitize_utf8(*s);
    fd::cut_utf8(*s, kMaxText);
  }

  std::string& out = spec.body;
  out.append("{\"text\":");
  append_json_string(out, title);
  out.append(",\"blocks\":[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":");
  append_json_string(out, section.empty() ? title : section);
  out.append("}}");
  // A link cut short would point elsewhere: one too long for Slack is left out.
  const std::string source = v.data.first != nullptr && !v.data.first->generator_url.empty()
                                 ? link(v.data.first->generator_url)
                                 : std::string();
  if (!source.empty() && fd::utf8_length(source) <= kMaxText) {
    out.append(",{\"type\":\"context\",\"elements\":[{\"type\":\"mrkdwn\",\"text\":");
    append_json_string(out, source);
    out.append("}]}");
  }
  out.append("]}");
  spec.url = d.webhook;
  spec.headers.emplace_back("Content-Type", fd::kJson);
  return;
}

}  // namespace alertgate
