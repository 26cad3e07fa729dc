#include "session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace alertgate::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;

void Reply::send(Response&& response) { session_->send(std::move(response)); }

Session::Session(HttpServer& server, boost::asio::ip::tcp::socket socket)
    // Bounded read buffer: one request's header and body plus some pipelined bytes.
    : server_(server),
      stream_(std::move(socket)),
      buffer_(server.settings_.max_header_bytes + server.settings_.max_body_bytes + 64 * 1024) {
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
  stream_.expires_after(server_.settings_.read_timeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->on_read(ec);
                    });
}

void Session::on_read(beast::error_code ec) {
  if (ec) {
    // Clean close, timeout, reset, or our own stop(): nothing to answer.
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == boost::asio::error::operation_aborted || ec == boost::asio::error::eof ||
        ec == boost::asio::error::connection_reset || closed_) {
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
  busy_ = true;
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
  busy_ = true;
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
  stream_.expires_after(server_.settings_.read_timeout);
  bhttp::async_write(stream_, response_,
                     [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                       self->on_write(ec, close_after);
                     });
}

void Session::on_write(beast::error_code ec, bool close_after) {
  busy_ = false;
  if (ec || close_after || stopping_ || server_.stopping_) {
    close();
    return;
  }
  do_read();
}

void Session::stop() {
  stopping_ = true;
  if (!busy_) close();
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.socket().close(ignored);
}

}  // namespace alertgate::http
