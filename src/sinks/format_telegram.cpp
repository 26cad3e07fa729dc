// Telegram Bot API sendMessage with parse_mode HTML. Telegram refuses (400 "can't parse
// entities") a text with a cut tag, a cut entity or an unclosed tag, so cutting is HTML-aware.
#include <fmt/format.h>

#include <charconv>
#include <iterator>

#include "alertgate/json_text.hpp"
#include "format_common.hpp"

namespace alertgate {

namespace fd = format_detail;

namespace {

constexpr std::string_view kDefaultUrl = "https://api.telegram.org";
// Telegram counts UTF-16 code units after entity parsing; we count UTF-16 units of the raw
// HTML (tags and entities included), which is never less.
constexpr std::size_t kMaxText = 4096;

std::size_t utf16_units(unsigned char lead) {
  if ((lead & 0xC0) == 0x80) return 0;  // continuation byte
  return lead >= 0xF0 ? 2 : 1;          // 4-byte sequences are surrogate pairs
}

// Cuts `s` (sanitized UTF-8 HTML) to `max` UTF-16 units, "…" included, without splitting a
// character, a tag or an entity, then closes the tags left open.
void cut_html(std::string& s, std::size_t max) {
  std::size_t total = 0;
  for (char c : s) total += utf16_units(static_cast<unsigned char>(c));
  if (total <= max) return;
  std::size_t units = 0;
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    const std::size_t u = utf16_units(static_cast<unsigned char>(s[i]));
    if (units + u > max - 1) break;
    units += u;
  }
  s.resize(i);
  // A '<' or '&' without its '>' or ';' is a cut tag or entity: drop it.
  const std::size_t lt = s.rfind('<');
  if (lt != std::string::npos && s.find('>', lt) == std::string::npos) s.resize(lt);
  const std::size_t amp = s.rfind('&');
  if (amp != std::string::npos && s.find(';', amp) == std::string::npos) s.resize(amp);
  // Tags still open, innermost last (Telegram's HTML has no void elements).
  std::vector<std::string> open;
  for (std::size_t p = s.find('<'); p != std::string::npos; p = s.find('<', p + 1)) {
    const std::size_t end = s.find('>', p);
    const bool closing = p + 1 < s.size() && s[p + 1] == '/';
    std::size_t b = p + (closing ? 2 : 1);
    std::size_t e = b;
    while (e < end && e < s.size() && s[e] != ' ' && s[e] != '>') ++e;
    const std::string name = s.substr(b, e - b);
    if (!closing) {
      open.push_back(name);
    } else if (!open.empty() && open.back() == name) {
      open.pop_back();
    }
  }
  s.append("\xE2\x80\xA6");
  for (auto it = open.rbegin(); it != open.rend(); ++it) s.append("</" + *it + ">");
}

std::string default_text(const fd::AlertView& v, const Notification& n) {
  std::string out = v.any_firing() ? "<b>FIRING</b> " : "<b>RESOLVED</b> ";
  fd::escape_html(out, fd::subject_name(v, n));
  if (v.alerts.size() > 1) {
    fmt::format_to(std::back_inserter(out), "\nAlerts: {} firing, {} resolved", v.firing,
                   v.alerts.size() - v.firing);
  }
  if (const Alert* a = v.data.first) {
    fmt::format_to(std::back_inserter(out), "\nSeverity: {}\nRating: {}", to_string(a->severity),
                   a->rating);
  }
  const std::string_view summary = fd::first_annotation(v, "summary");
  if (!summary.empty()) {
    out.append("\nSummary: ");
    fd::escape_html(out, summary);
  }
  return out;
}

// A JSON number Telegram takes as a chat id: -?[1-9][0-9]* in int64 (or "0").
bool is_integer(std::string_view s) {
  const std::string_view digits = s.starts_with('-') ? s.substr(1) : s;
  if (digits.empty() || (digits[0] == '0' && s != "0")) return false;
  long long value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

void format_telegram(const Notification& n, const Destination& d, const FormatContext& ctx,
                     HttpRequestSpec& spec) {
  fd::reset(spec);
  const fd::AlertView v(n, d, ctx);
  if (v.empty()) return;

  std::string text;
  if (d.text.empty()) {
    text = default_text(v, n);
  } else {
    d.text.render(v.data, text, fd::escape_html);
  }
  fd::sanitize_utf8(text);
  cut_html(text, kMaxText);

  std::string& out = spec.body;
  out.append("{\"chat_id\":");
  if (is_integer(d.chat_id)) {
    out.append(d.chat_id);
  } else {
    append_json_string(out, d.chat_id);
  }
  fd::append_json_field(out, "text", text);
  out.append(",\"parse_mode\":\"HTML\",\"disable_notification\":");
  out.append(d.disable_notification ? "true}" : "false}");

  std::string base = d.api_url.empty() ? std::string(kDefaultUrl) : d.api_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  spec.url = base + "/bot" + d.bot_token + "/sendMessage";
  spec.headers.emplace_back("Content-Type", fd::kJson);
  return;
}

}  // namespace alertgate
