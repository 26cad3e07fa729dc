// HTTP/1.1 server of one reactor: its acceptors (SO_REUSEPORT, so every reactor listens on
// the same port and the kernel spreads connections), its connections, and the limits.
//
// Thread: everything runs on the reactor's io_context thread, except listen() which the
// app calls before the reactor runs. A connection lives on its reactor for life.
//
// Limits: body (413), header (431), read/idle deadline (connection closed), one request
// in flight per connection (pipelined requests wait in a bounded buffer), a process-wide
// connection cap (over it, new connections are closed at once and counted).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include "alertgate/metrics.hpp"
#include "alertgate/result.hpp"

namespace alertgate::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Verb = boost::beast::http::verb;

class Session;

// Hands the response to one request back to its connection. Move-only; send() exactly
// once, on the connection's reactor thread (now or later: handlers may answer
// asynchronously, e.g. after a WAL commit).
class Reply {
 public:
  explicit Reply(std::shared_ptr<Session> session) : session_(std::move(session)) {}
  Reply(Reply&&) noexcept = default;
  Reply& operator=(Reply&&) noexcept = default;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;

  void send(Response&& response);

 private:
  std::shared_ptr<Session> session_;
};

using Handler = std::function<void(Request& request, Reply reply)>;

// (method, path) → handler. The endpoint index of a path is its `path` label in metrics;
// requests to unknown paths count under the last index, "other".
class EndpointTable {
 public:
  void add(Verb method, std::string path, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: see status
    unsigned status = 0;               // 404 (no such path) or 405 (path, wrong method)
    std::string allow;                 // for 405: the Allow header
    std::size_t endpoint = 0;          // metrics index
  };
  Match find(Verb method, std::string_view target) const;

  // The metrics index of requests to unknown paths.
  std::size_t other_endpoint() const { return paths_.size(); }
  // The metric label of every endpoint index, "other" last.
  std::vector<std::string> paths() const;

 private:
  struct Route {
    Verb method;
    std::size_t endpoint;
    Handler handler;
  };
  std::vector<std::string> paths_;
  std::vector<Route> routes_;
};

struct ServerSettings {
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  std::chrono::milliseconds read_timeout = std::chrono::seconds(30);
  std::size_t max_connections = 10'000;
  // At stop(): how long an idle keep-alive connection may still send its next request
  // (answered with `Connection: close`) before it is closed. Clients that keep sending
  // (steady load, a restart behind SO_REUSEPORT) are told to reconnect instead of finding
  // their connection closed under a request in flight.
  std::chrono::milliseconds drain_idle = std::chrono::seconds(1);
};

// A JSON error answer: {"error":"<code>","message":"<message>"}.
Response json_error(unsigned status, std::string_view code, std::string_view message);
Response json_response(unsigned status, std::string body);

// A connection's socket, bound to its reactor's io_context.
using Socket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

class HttpServer {
 public:
  // `connections` is the process-wide count of open connections (all reactors), checked
  // against max_connections at accept.
  HttpServer(boost::asio::io_context& io, const EndpointTable& endpoints, ServerSettings settings,
             ReactorMetrics& metrics, std::atomic<std::size_t>& connections);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds with SO_REUSEADDR and SO_REUSEPORT and starts accepting. Returns the bound
  // endpoint (its port when `at` had port 0).
  Result<boost::asio::ip::tcp::endpoint> listen(const boost::asio::ip::tcp::endpoint& at);

  // Reactor thread. Accepts what already waits in the kernel's accept queue (a close would
  // reset it), closes the acceptors; every connection closes after its next response
  // (`Connection: close`), idle ones after `drain_idle` at the latest.
  void stop();
  // Reactor thread, after a forced shutdown: closes every connection now.
  void close_all();
  std::size_t open_connections() const { return sessions_.size(); }

 private:
  friend class Session;
  void do_accept(std::size_t acceptor);
  // Closes connections that waited on their client longer than read_timeout.
  void sweep();
  void start_session(Socket socket);

  boost::asio::io_context& io_;
  const EndpointTable& endpoints_;
  ServerSettings settings_;
  ReactorMetrics& metrics_;
  std::atomic<std::size_t>& connections_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  std::unordered_set<Session*> sessions_;
  boost::asio::steady_timer sweep_timer_;
  boost::asio::steady_timer drain_timer_;
  bool sweeping_ = false;
  bool stopping_ = false;
};

}  // namespace alertgate::http
