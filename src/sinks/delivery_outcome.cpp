#include "alertgate/delivery_outcome.hpp"

#include <charconv>
#include <string>

namespace alertgate {

namespace {

using std::chrono::milliseconds;

// A non-negative integer of seconds at the start of `text`, else nullopt.
std::optional<long> leading_seconds(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  long v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end == text.data() || v < 0) return std::nullopt;
  return v;
}

// Telegram: "parameters":{"retry_after":5} somewhere in the body (a scan, not a parser:
// the body is the service's, small and only read for this number).
std::optional<long> telegram_retry_after(const std::string& body) {
  const auto at = body.find("\"retry_after\":");
  if (at == std::string::npos) return std::nullopt;
  return leading_seconds(std::string_view(body).substr(at + 14));
}

SinkResult retry(std::string reason, milliseconds after = milliseconds(0)) {
  return {NotifyOutcome::retry, after, std::move(reason)};
}
SinkResult failed(std::string reason) { return {NotifyOutcome::failed, {}, std::move(reason)}; }

std::string status_reason(const HttpResponse& r) {
  std::string out = "HTTP " + std::to_string(r.status);
  if (!r.body.empty()) {
    out += ": ";
    out.append(r.body, 0, 200);
  }
  return out;
}

}  // namespace

SinkResult classify_response(DestinationType type, const HttpResponse& r) {
  if (r.status == 0) return retry(r.error.empty() ? "no response" : r.error);

  if (type == DestinationType::email) {
    if (r.status >= 200 && r.status < 300) return {};
    if (r.status >= 400 && r.status < 500) return retry("SMTP " + std::to_string(r.status));
    return failed("SMTP " + std::to_string(r.status));
  }

  if (type == DestinationType::telegram && r.status == 200 &&
      r.body.find("\"ok\":false") != std::string::npos) {
    return failed("telegram: " + r.body.substr(0, 200));
  }
  if (r.status >= 200 && r.status < 300) return {};
  if (r.status == 429) {
    std::optional<long> seconds;
    if (const std::string* h = r.header("retry-after")) seconds = leading_seconds(*h);
    if (!seconds && type == DestinationType::telegram) seconds = telegram_retry_after(r.body);
    if (!seconds) {
      if (const std::string* h = r.header("x-ratelimit-period-in-sec")) {
        seconds = leading_seconds(*h);
      }
    }
    return retry(status_reason(r), milliseconds(seconds.value_or(1) * 1000));
  }
  if (r.status == 408 || r.status >= 500) return retry(status_reason(r));
  return failed(status_reason(r));
}

}  // namespace alertgate
