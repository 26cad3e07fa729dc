// Session: one client connection on one reactor. Reads one request at a time (a
// pipelined request waits in the read buffer until the previous answer is written), hands
// it to its endpoint's handler and writes the Reply.
//
// Deadlines are not a timer per operation (that would be a timerfd syscall per read):
// the session notes when it started waiting on the client, and its server's periodic
// sweep closes sessions that waited longer than read_timeout.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include "alertgate/http_server.hpp"

namespace alertgate::http {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer& server, Socket socket);
  ~Session();

  void start() { do_read(); }
  // Reactor thread: the connection closes after its next response (Connection: close).
  void stop();
  // Reactor thread: closes the connection if it is waiting for a request of which no byte
  // has arrived.
  void close_if_idle();
  // Reactor thread: closes the connection now, whatever it was doing.
  void abort() { close(); }
  void send(Response&& response);
  // Reactor thread: closes the connection when it has waited on the client past `limit`.
  void expire_if_idle(std::chrono::steady_clock::time_point now,
                      std::chrono::steady_clock::duration limit);

 private:
  enum class State { reading, handling, writing, closed };
  void do_read();
  void on_read(boost::beast::error_code ec);
  void dispatch();
  void fail_request(unsigned status, std::string_view code, std::string_view message);
  void on_write(boost::beast::error_code ec, bool close);
  void close();

  HttpServer& server_;
  Socket socket_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Request request_;
  Response response_;
  std::size_t endpoint_ = 0;
  std::chrono::steady_clock::time_point started_;        // request complete (for the histogram)
  std::chrono::steady_clock::time_point waiting_since_;  // started reading or writing
  State state_ = State::reading;
  bool stopping_ = false;
};

}  // namespace alertgate::http
