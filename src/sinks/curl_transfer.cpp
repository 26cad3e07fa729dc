#include "sinks/curl_transfer.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace alertgate::sinks {
namespace {

constexpr long kDnsCacheSeconds = 60;
constexpr long kKeepIdleSeconds = 30;
constexpr long kKeepIntervalSeconds = 15;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != s.npos; }

bool iequals(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

std::string envelope_address(std::string_view mailbox) {
  const auto open = mailbox.rfind('<');
  if (open != mailbox.npos) {
    const auto close = mailbox.find('>', open);
    if (close != mailbox.npos) return std::string(mailbox.substr(open + 1, close - open - 1));
  }
  return std::string(trim(mailbox));
}

CurlTransfer::CurlTransfer() : easy_(curl_easy_init()) {}

CurlTransfer::~CurlTransfer() {
  reset();
  if (easy_ != nullptr) curl_easy_cleanup(easy_);
}

void CurlTransfer::reset() {
  if (easy_ != nullptr) curl_easy_reset(easy_);
  curl_slist_free_all(headers_);
  curl_slist_free_all(recipients_);
  headers_ = nullptr;
  recipients_ = nullptr;
  body_.clear();
  read_pos_ = 0;
  header_bytes_ = 0;
  error_buffer_[0] = '\0';
  response_ = HttpResponse{};
  done = nullptr;
  is_mail_ = false;
}

bool CurlTransfer::common(const TransferLimits& limits, const SocketHooks& hooks) {
  started_ = std::chrono::steady_clock::now();
  CURL* e = easy_;
  // Every option below takes a plain value; curl only refuses them when out of memory or
  // built without the feature, which `ok` turns into a transfer error.
  bool ok = curl_easy_setopt(e, CURLOPT_PRIVATE, this) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer_) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(limits.connect_timeout.count())) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.timeout.count())) ==
        CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, kDnsCacheSeconds) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, kKeepIdleSeconds) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, kKeepIntervalSeconds) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, hooks.open) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, hooks.user) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, hooks.close) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, hooks.user) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &CurlTransfer::on_body) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_WRITEDATA, this) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &CurlTransfer::on_header) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_HEADERDATA, this) == CURLE_OK;
  if (!ok) response_.error = "curl refused a transfer option";
  return ok;
}

bool CurlTransfer::setup_post(const HttpRequestSpec& request, const TransferLimits& limits,
                              const SocketHooks& hooks) {
  if (!common(limits, hooks)) return false;
  bool has_expect = false;
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || name.find_first_of(": \t") != name.npos || has_line_break(name) ||
        has_line_break(value)) {
      response_.error = "invalid request header";
      return false;
    }
    has_expect |= iequals(name, "expect");
    // "Name;" is curl's spelling for a header with an empty value ("Name:" would remove it).
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    headers_ = curl_slist_append(headers_, line.c_str());
  }
  // No "Expect: 100-continue" round trip for large bodies: receivers answer the POST anyway.
  if (!has_expect) headers_ = curl_slist_append(headers_, "Expect:");
  body_ = request.body;
  CURL* e = easy_;
  bool ok = curl_easy_setopt(e, CURLOPT_URL, request.url.c_str()) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_USERAGENT, "alertgate") == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_POST, 1L) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size())) ==
        CURLE_OK;
  // body_ lives in this pooled transfer until it finishes: no copy by curl.
  ok &= curl_easy_setopt(e, CURLOPT_POSTFIELDS, body_.data()) == CURLE_OK;
  if (!ok) response_.error = "invalid request (url or option refused by curl)";
  return ok;
}

bool CurlTransfer::setup_mail(const MailSpec& mail, const SmtpSettings& smtp,
                              const TransferLimits& limits, const SocketHooks& hooks) {
  is_mail_ = true;
  if (!common(limits, hooks)) return false;
  if (mail.to.empty()) {
    response_.error = "mail without recipients";
    return false;
  }
  for (const auto& to : mail.to) {
    recipients_ = curl_slist_append(recipients_, envelope_address(to).c_str());
  }
  body_ = mail.message;
  CURL* e = easy_;
  const std::string from = envelope_address(mail.from);
  bool ok = curl_easy_setopt(e, CURLOPT_URL, smtp.url.c_str()) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps") == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_MAIL_FROM, from.c_str()) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_MAIL_RCPT, recipients_) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_UPLOAD, 1L) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_READFUNCTION, &CurlTransfer::on_read) == CURLE_OK;
  ok &= curl_easy_setopt(e, CURLOPT_READDATA, this) == CURLE_OK;
  if (!smtp.username.empty()) {
    ok &= curl_easy_setopt(e, CURLOPT_USERNAME, smtp.username.c_str()) == CURLE_OK;
    ok &= curl_easy_setopt(e, CURLOPT_PASSWORD, smtp.password.c_str()) == CURLE_OK;
  }
  if (smtp.starttls) ok &= curl_easy_setopt(e, CURLOPT_USE_SSL, CURLUSESSL_ALL) == CURLE_OK;
  if (!ok) response_.error = "invalid smtp settings (url or option refused by curl)";
  return ok;
}

HttpResponse CurlTransfer::finish(CURLcode result) {
  response_.took = std::chrono::steady_clock::now() - started_;
  long code = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
  if (result == CURLE_OK) {
    response_.status = code;
  } else {
    response_.error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(result);
    // HTTP: no status without a complete response. SMTP: the server's refusal code, if any.
    response_.status = is_mail_ ? code : 0;
  }
  return std::move(response_);
}

HttpResponse CurlTransfer::abort(std::string_view error) {
  HttpResponse r;
  r.error = error;
  r.took = std::chrono::steady_clock::now() - started_;
  return r;
}

std::size_t CurlTransfer::on_body(char* data, std::size_t size, std::size_t n, void* self) {
  auto& body = static_cast<CurlTransfer*>(self)->response_.body;
  const std::size_t len = size * n;
  if (body.size() < kMaxResponseBody)
    body.append(data, std::min(len, kMaxResponseBody - body.size()));
  return len;
}

std::size_t CurlTransfer::on_header(char* data, std::size_t size, std::size_t n, void* self) {
  auto* t = static_cast<CurlTransfer*>(self);
  const std::size_t len = size * n;
  if (t->is_mail_) return len;  // SMTP server replies, not headers
  const std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue or a 1xx): start over
    t->response_.headers.clear();
    t->header_bytes_ = 0;
    return len;
  }
  const auto colon = line.find(':');
  if (colon == line.npos || colon == 0 || t->header_bytes_ + len > kMaxResponseHeaderBytes) {
    return len;
  }
  t->header_bytes_ += len;
  std::string name(trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  });
  t->response_.headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  return len;
}

std::size_t CurlTransfer::on_read(char* buffer, std::size_t size, std::size_t n, void* self) {
  auto* t = static_cast<CurlTransfer*>(self);
  const std::size_t len = std::min(size * n, t->body_.size() - t->read_pos_);
  std::memcpy(buffer, t->body_.data() + t->read_pos_, len);
  t->read_pos_ += len;
  return len;
}

}  // namespace alertgate::sinks
