// CurlTransfer: one pooled libcurl easy handle plus everything a transfer keeps alive while
// it runs (request body, header lists, mail reader position, response being collected).
// Private to HttpClient; reused with curl_easy_reset so buffers keep their capacity.
//
// Thread: the HttpClient's reactor. Errors surface as CURLcode in `finish`.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "alertgate/http_client.hpp"

namespace alertgate::sinks {

// Response body bytes kept; the rest is read and dropped (the timeout bounds the transfer).
inline constexpr std::size_t kMaxResponseBody = 64 * 1024;
// Response header bytes kept (names + values); further headers are dropped.
inline constexpr std::size_t kMaxResponseHeaderBytes = 16 * 1024;

// Socket hooks shared by every transfer: HttpClient owns the sockets (see http_client.cpp).
struct SocketHooks {
  curl_opensocket_callback open = nullptr;
  curl_closesocket_callback close = nullptr;
  void* user = nullptr;
};

class CurlTransfer {
 public:
  CurlTransfer();
  ~CurlTransfer();
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  CURL* easy() const { return easy_; }
  bool valid() const { return easy_ != nullptr; }

  // Configure for a POST / an SMTP send. false (with `error()` set) when curl refuses an option.
  bool setup_post(const HttpRequestSpec& request, const TransferLimits& limits,
                  const SocketHooks& hooks);
  bool setup_mail(const MailSpec& mail, const SmtpSettings& smtp, const TransferLimits& limits,
                  const SocketHooks& hooks);
  const std::string& error() const { return response_.error; }

  // Moves the collected response out, filling status/error/took from `result`.
  HttpResponse finish(CURLcode result);
  // The response of a transfer cancelled before curl finished it: status 0, `error`.
  HttpResponse abort(std::string_view error);
  // Back to a blank state for the pool (keeps the easy handle and buffer capacity).
  void reset();

  HttpClient::Callback done;

 private:
  bool common(const TransferLimits& limits, const SocketHooks& hooks);
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* self);
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* self);
  static std::size_t on_read(char* buffer, std::size_t size, std::size_t n, void* self);

  CURL* easy_ = nullptr;
  bool is_mail_ = false;
  std::string body_;  // POST body / mail message, alive until the transfer ends
  std::size_t read_pos_ = 0;
  curl_slist* headers_ = nullptr;
  curl_slist* recipients_ = nullptr;
  std::size_t header_bytes_ = 0;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  HttpResponse response_;
  std::chrono::steady_clock::time_point started_{};
};

// The address inside "Name <addr>" (or the whole string trimmed): the SMTP envelope form.
std::string envelope_address(std::string_view mailbox);

}  // namespace alertgate::sinks
