// Session: one client connection on one reactor. Reads one request at a time (a
// pipelined request waits in the read buffer until the previous answer is written), hands
// it to its endpoint's handler and writes the Reply.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include "alertgate/http_server.hpp"

namespace alertgate::http {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer& server, boost::asio::ip::tcp::socket socket);
  ~Session();

  void start() { do_read(); }
  // Reactor thread: close now when idle, else after the response being prepared.
  void stop();
  void send(Response&& response);

 private:
  void do_read();
  void on_read(boost::beast::error_code ec);
  void dispatch();
  void fail_request(unsigned status, std::string_view code, std::string_view message);
  void on_write(boost::beast::error_code ec, bool close);
  void close();

  HttpServer& server_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Request request_;
  Response response_;
  std::size_t endpoint_ = 0;
  std::chrono::steady_clock::time_point started_;
  bool busy_ = false;      // a request is being handled or its answer written
  bool stopping_ = false;
  bool closed_ = false;
};

}  // namespace alertgate::http
