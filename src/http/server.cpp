#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/socket_base.hpp>

#include <algorithm>

#include "alertgate/http_server.hpp"
#include "alertgate/log.hpp"
#include "session.hpp"

namespace alertgate::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

HttpServer::HttpServer(asio::io_context& io, const EndpointTable& endpoints,
                       ServerSettings settings, ReactorMetrics& metrics,
                       std::atomic<std::size_t>& connections)
    : io_(io),
      endpoints_(endpoints),
      settings_(settings),
      metrics_(metrics),
      connections_(connections),
      sweep_timer_(io),
      drain_timer_(io) {}

HttpServer::~HttpServer() = default;

Result<tcp::endpoint> HttpServer::listen(const tcp::endpoint& at) {
  auto acceptor = std::make_unique<tcp::acceptor>(io_);
  boost::system::error_code ec;
  acceptor->open(at.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) {
    // Every reactor binds the same port; the kernel balances connections between them.
    const int one = 1;
    if (::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec.assign(errno, boost::system::system_category());
    }
  }
  if (!ec && at.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor->bind(at, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return unexpected(Error{"cannot listen on " + at.address().to_string() + ":" +
                            std::to_string(at.port()) + ": " + ec.message()});
  }
  const auto bound = acceptor->local_endpoint(ec);
  acceptors_.push_back(std::move(acceptor));
  do_accept(acceptors_.size() - 1);
  if (!sweeping_) {
    sweeping_ = true;
    sweep();
  }
  return bound;
}

void HttpServer::sweep() {
  // A quarter of the timeout: a connection is closed between 1x and 1.25x read_timeout.
  const auto tick = std::clamp<std::chrono::steady_clock::duration>(
      settings_.read_timeout / 4, std::chrono::milliseconds(10), std::chrono::seconds(1));
  sweep_timer_.expires_after(tick);
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    const auto now = std::chrono::steady_clock::now();
    const std::vector<Session*> open(sessions_.begin(), sessions_.end());
    for (Session* s : open) {
      if (sessions_.count(s) != 0) s->expire_if_idle(now, settings_.read_timeout);
    }
    sweep();
  });
}

void HttpServer::do_accept(std::size_t index) {
  acceptors_[index]->async_accept(io_, [this, index](boost::system::error_code ec, Socket socket) {
    if (ec == asio::error::operation_aborted || stopping_) return;
    if (!ec) {
      start_session(std::move(socket));
    } else {
      // EMFILE and friends: keep accepting; the next attempt may succeed.
      log::warn("accept failed", {{"error", ec.message()}});
    }
    do_accept(index);
  });
}

void HttpServer::start_session(Socket socket) {
  const std::size_t open = connections_.fetch_add(1, std::memory_order_relaxed);
  if (open >= settings_.max_connections) {
    connections_.fetch_sub(1, std::memory_order_relaxed);
    metrics_.connections_refused().add();
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  std::make_shared<Session>(*this, std::move(socket))->start();
}

void HttpServer::stop() {
  if (stopping_) return;
  stopping_ = true;
  sweep_timer_.cancel();
  for (auto& a : acceptors_) {
    // Connections the kernel completed but we have not accepted yet would be reset by the
    // close: take them first, they get their answer (with Connection: close).
    boost::system::error_code ec;
    a->non_blocking(true, ec);
    while (!ec) {
      Socket socket(io_);
      a->accept(socket, ec);
      if (!ec) start_session(std::move(socket));
    }
    boost::system::error_code ignored;
    a->close(ignored);
  }
  // Copy: stop() may destroy sessions, which erase themselves from the set.
  const std::vector<Session*> open(sessions_.begin(), sessions_.end());
  for (Session* s : open) {
    if (sessions_.count(s) != 0) s->stop();
  }
  drain_timer_.expires_after(settings_.drain_idle);
  drain_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    const std::vector<Session*> still(sessions_.begin(), sessions_.end());
    for (Session* s : still) {
      if (sessions_.count(s) != 0) s->close_if_idle();
    }
  });
}

void HttpServer::close_all() {
  stop();
  drain_timer_.cancel();
  const std::vector<Session*> open(sessions_.begin(), sessions_.end());
  for (Session* s : open) {
    if (sessions_.count(s) != 0) s->abort();
  }
}

}  // namespace alertgate::http
