// Email: one RFC 5322 message per notification, multipart/alternative (text/plain and
// text/html, UTF-8, quoted-printable). CRLF everywhere, no line over 76 characters in the
// bodies and none over 998 anywhere; non-ASCII subjects as RFC 2047 encoded-words.
#include <fmt/format.h>

#include <chrono>
#include <iterator>

#include "format_common.hpp"

namespace alertgate {

namespace fd = format_detail;

namespace {

constexpr std::size_t kMaxSubject = 200;  // characters, before encoding
constexpr std::size_t kMaxAddress = 900;  // bytes: keeps the header line under 998
constexpr std::size_t kQpLine = 76;       // RFC 2045
constexpr std::size_t kWordBytes = 45;    // UTF-8 bytes per encoded-word: 60 base64 chars

// Header values: control characters (CR and LF above all: header injection) become spaces.
std::string header_value(std::string_view v, std::size_t max_bytes) {
  std::string out(v.substr(0, max_bytes));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

void append_base64(std::string& out, std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const auto v = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16) |
                   (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8) |
                   static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 0x3F]);
  }
  const std::size_t rest = in.size() - i;
  if (rest == 0) return;
  unsigned v = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16;
  if (rest == 2) v |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8;
  out.push_back(kAlphabet[(v >> 18) & 0x3F]);
  out.push_back(kAlphabet[(v >> 12) & 0x3F]);
  out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 0x3F] : '=');
  out.push_back('=');
}

// ASCII subjects as they are; others as UTF-8 "B" encoded-words of whole characters,
// folded one word per line.
std::string encode_subject(std::string_view s) {
  bool ascii = true;
  for (char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return std::string(s);
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t end = std::min(s.size(), i + kWordBytes);
    while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out.append("\r\n ");
    out.append("=?UTF-8?B?");
    append_base64(out, s.substr(i, end - i));
    out.append("?=");
    i = end;
  }
  return out;
}

// Quoted-printable (RFC 2045 6.7) of `text`, whose line breaks (LF or CRLF) become CRLF.
void append_quoted_printable(std::string& out, std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    std::size_t width = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      const bool last = i + 1 == line.size();
      const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
      const std::size_t need = literal ? 1 : 3;
      // Room for the token plus the "=" of a soft break, unless the token ends the line.
      if (width + need > (last ? kQpLine : kQpLine - 1)) {
        out.append("=\r\n");
        width = 0;
      }
      if (literal) {
        out.push_back(static_cast<char>(c));
      } else {
        fmt::format_to(std::back_inserter(out), "={:02X}", c);
      }
      width += need;
    }
    out.append("\r\n");
    start = nl + 1;
  }
}

std::string default_body(const fd::AlertView& v, std::string_view title, const FormatContext& ctx) {
  std::string out(title);
  fmt::format_to(std::back_inserter(out), "\nTenant: {}\n", ctx.tenant_id);
  for (std::size_t i = 0; i < v.alerts.size(); ++i) {
    const Alert& a = *v.alerts[i];
    const std::string* name = find_label(a.labels, "alertname");
    fmt::format_to(std::back_inserter(out), "\n[{}] {} (severity {}, rating {})\n",
                   i < v.firing ? "firing" : "resolved", name != nullptr ? *name : "",
                   to_string(a.severity), a.rating);
    for (const auto& [key, label] :
         {std::pair{"summary", "Summary"}, {"description", "Description"}}) {
      if (const std::string* t = find_label(a.annotations, key)) {
        fmt::format_to(std::back_inserter(out), "{}: {}\n", label, *t);
      }
    }
    out.append("Labels:");
    for (const Label& l : a.labels)
      fmt::format_to(std::back_inserter(out), " {}={}", l.name, l.value);
    out.append("\nStarted: ");
    append_rfc3339(out, a.starts_at);
    out.push_back('\n');
    if (!a.generator_url.empty())
      fmt::format_to(std::back_inserter(out), "Source: {}\n", a.generator_url);
  }
  if (!ctx.external_url.empty())
    fmt::format_to(std::back_inserter(out), "\n{}\n", ctx.external_url);
  return out;
}

// RFC 5322 date-time in UTC: "Thu, 20 Aug 2026 10:00:00 +0000".
std::string mail_date(TimePoint t) {
  using namespace std::chrono;
  static constexpr std::string_view kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(floor<seconds>(t - day));
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kDays[weekday(day).c_encoding()],
                     static_cast<unsigned>(ymd.day()),
                     kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

}  // namespace

MailSpec format_email(const Notification& n, const Destination& d, const FormatContext& ctx) {
  MailSpec mail;
  const fd::AlertView v(n, d, ctx);
  if (v.empty()) return mail;

  std::string subject = d.title.empty() ? fd::default_title(v, n) : d.title.render(v.data);
  fd::sanitize_utf8(subject);
  subject = header_value(subject, subject.size());
  fd::cut_utf8(subject, kMaxSubject);
  std::string body = d.text.empty() ? default_body(v, subject, ctx) : d.text.render(v.data);
  fd::sanitize_utf8(body);
  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n<h2>";
  fd::escape_html(html, subject);
  html.append("</h2>\n<pre>");
  fd::escape_html(html, body);
  html.append("</pre>\n</body></html>\n");

  mail.from = header_value(ctx.mail_from, kMaxAddress);
  mail.to.push_back(header_value(d.address, kMaxAddress));
  const std::int64_t ns = ctx.now.time_since_epoch().count();
  // QP output never contains "=_", so this boundary cannot occur in a part.
  const std::string boundary = fmt::format("=_alertgate_{}_{}", fd::hex16(n.group_key), ns);

  std::string& m = mail.message;
  fmt::format_to(std::back_inserter(m), "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\n",
                 mail.from, mail.to.front(), encode_subject(subject), mail_date(ctx.now));
  fmt::format_to(std::back_inserter(m), "Message-ID: <alertgate.{}.{}.{}@alertgate>\r\n",
                 header_value(ctx.tenant_id, 64), fd::hex16(n.group_key), ns);
  fmt::format_to(std::back_inserter(m),
                 "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; "
                 "boundary=\"{}\"\r\n\r\n",
                 boundary);
  for (const auto& [type, text] : {std::pair{"plain", &body}, {"html", &html}}) {
    fmt::format_to(std::back_inserter(m),
                   "--{}\r\nContent-Type: text/{}; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                   boundary, type);
    append_quoted_printable(m, *text);
  }
  fmt::format_to(std::back_inserter(m), "--{}--\r\n", boundary);
  return mail;
}

}  // namespace alertgate
