#include "session.hpp"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace alertgate::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;

void Reply::send(Response&& response) { session_->send(std::move(response)); }

namespace {
// Beast reads at most the buffer's free capacity (and at least 512 bytes) per call: start
// with room for a typical batch so a 20 KB body is one recv, not forty.
constexpr std::size_t kInitialReadCapacity = std::size_t{64} * 1024;
}  // namespace

Session::Session(HttpServer& server, Socket socket)
    // Bounded read buffer: one request's header and body plus some pipelined bytes.
    : server_(server),
      socket_(std::move(socket)),
      buffer_(server.settings_.max_header_bytes + server.settings_.max_body_bytes +
              kInitialReadCapacity) {
  buffer_.reserve(std::min(kInitialReadCapacity, buffer_.max_size()));
  server_.sessions_.insert(this);
  server_.metrics_.connections_active().add();
}

Session::~Session() {
  server_.sessions_.erase(this);
  server_.metrics_.connections_active().sub();
  server_.connections_.fetch_sub(1, std::memory_order_relaxed);
}

void Session::do_read() {
  parser_.emplace();
  parser_->body_limit(server_.settings_.max_body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(server_.settings_.max_header_bytes));
  state_ = State::reading;
  waiting_since_ = std::chrono::steady_clock::now();
  bhttp::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void Session::on_read(beast::error_code ec) {
  if (ec) {
    // Clean close, timeout, reset, or our own stop(): nothing to answer.
    if (ec == bhttp::error::end_of_stream || ec == boost::asio::error::operation_aborted ||
        ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
        state_ == State::closed) {
      close();
      return;
    }
    endpoint_ = server_.endpoints_.other_endpoint();  // the request never got a path
    if (parser_->is_header_done()) {
      const auto m = server_.endpoints_.find(parser_->get().method(), parser_->get().target());
      endpoint_ = m.endpoint;
    }
    started_ = std::chrono::steady_clock::now();
    if (ec == bhttp::error::body_limit) {
      fail_request(413, "body_too_large",
                   "request body exceeds limits.max_body_bytes (" +
                       std::to_string(server_.settings_.max_body_bytes) + " bytes)");
    } else if (ec == bhttp::error::header_limit) {
      fail_request(431, "header_too_large",
                   "request header exceeds limits.max_header_bytes (" +
                       std::to_string(server_.settings_.max_header_bytes) + " bytes)");
    } else {
      fail_request(400, "bad_request", "malformed HTTP request: " + ec.message());
    }
    return;
  }
  request_ = parser_->release();
  state_ = State::handling;
  started_ = std::chrono::steady_clock::now();
  dispatch();
}

void Session::dispatch() {
  const auto m = server_.endpoints_.find(request_.method(), request_.target());
  endpoint_ = m.endpoint;
  if (m.handler == nullptr) {
    if (m.status == 405) {
      auto res = json_error(405, "method_not_allowed",
                            std::string(request_.method_string()) + " is not allowed on " +
                                std::string(request_.target()) + " (allowed: " + m.allow + ")");
      res.set(bhttp::field::allow, m.allow);
      send(std::move(res));
    } else {
      send(json_error(404, "not_found", "no endpoint " + std::string(request_.target())));
    }
    return;
  }
  (*m.handler)(request_, Reply(shared_from_this()));
}

void Session::fail_request(unsigned status, std::string_view code, std::string_view message) {
  // The stream is out of sync with request boundaries after these errors: answer and close.
  state_ = State::handling;
  stopping_ = true;
  request_ = {};
  send(json_error(status, code, message));
}

void Session::send(Response&& response) {
  response_ = std::move(response);
  const bool close_after = stopping_ || server_.stopping_ || !request_.keep_alive();
  response_.version(request_.version() == 10 ? 10 : 11);
  response_.keep_alive(!close_after);
  response_.prepare_payload();
  server_.metrics_.http_request(endpoint_, response_.result_int(),
                                std::chrono::steady_clock::now() - started_);
  if (state_ == State::closed) return;  // the client went away while we worked
  state_ = State::writing;
  waiting_since_ = std::chrono::steady_clock::now();
  bhttp::async_write(socket_, response_,
                     [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                       self->on_write(ec, close_after);
                     });
}

void Session::on_write(beast::error_code ec, bool close_after) {
  if (ec || close_after || stopping_ || server_.stopping_) {
    close();
    return;
  }
  do_read();
}

void Session::stop() { stopping_ = true; }

void Session::close_if_idle() {
  if (state_ == State::reading && buffer_.size() == 0 && parser_ && !parser_->got_some()) {
    close();
  }
}

void Session::expire_if_idle(std::chrono::steady_clock::time_point now,
                             std::chrono::steady_clock::duration limit) {
  if ((state_ == State::reading || state_ == State::writing) && now - waiting_since_ > limit) {
    close();
  }
}

void Session::close() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  beast::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
}

}  // namespace alertgate::http
