// HttpClient: outbound HTTP(S) and SMTP for one reactor, on libcurl's multi interface driven
// by Asio (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION): no polling thread and no
// blocking call on the reactor. Easy handles are pooled and reused; connections are kept
// alive per host (HTTP/2 multiplexing when offered); CURLOPT_NOSIGNAL; DNS cached.
//
// Thread: the owning reactor only — construct, call and destroy there (or before/after it
// runs). Callbacks run on that reactor. stop() cancels what is in flight (callbacks run with
// `error` set) so the io_context can finish.
//
// Errors: `status` is the HTTP status (any answer, 4xx/5xx included, is not an `error`);
// `error` is set and `status` 0 when no complete answer came (connect, timeout, TLS, reset,
// invalid URL or header, "stopped"). For mail, `status` is the last SMTP reply code, also
// when `error` is set (e.g. 550 for a refused recipient).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "alertgate/destination_format.hpp"

namespace alertgate {

struct HttpResponse {
  long status = 0;    // 0 when no response (then `error` says why)
  std::string error;  // transport error (connect, timeout, TLS, reset, ...)
  std::string body;   // at most 64 KiB kept
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::chrono::nanoseconds took{0};
  const std::string* header(std::string_view lower_name) const;
};

struct TransferLimits {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds timeout{10000};
};

struct SmtpSettings {
  std::string url;  // smtp://host:port or smtps://host:port
  std::string username;
  std::string password;
  bool starttls = false;  // require STARTTLS on smtp://
};

class HttpClient {
 public:
  using Callback = std::function<void(HttpResponse)>;
  explicit HttpClient(boost::asio::io_context& io);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `request`; `done` runs exactly once.
  void post(const HttpRequestSpec& request, const TransferLimits& limits, Callback done);
  // Sends one mail through `smtp` (status 250 on success, else the SMTP code or `error`).
  void send_mail(const MailSpec& mail, const SmtpSettings& smtp, const TransferLimits& limits,
                 Callback done);

  // Transfers started and not yet completed.
  std::size_t in_flight() const;
  // Cancels every transfer: each callback runs once, inside stop(), with error "stopped";
  // connections are closed and the timer cancelled. Later post/send_mail fail (posted).
  // The destructor does the same without running callbacks.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alertgate
