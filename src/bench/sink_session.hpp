// SinkSession: one client connection of the bench's EmbeddedSink. Internal to the bench
// stage. Lives on the sink thread for its whole life (owned by the shared_ptrs its pending
// handlers hold); reads one request at a time with Beast (keep-alive, pipelined requests
// wait in the read buffer), hands it to the SinkHandler and writes the answer.
//
// Reuse: the read buffer, the body string (recycled into each new parser) and the
// response bytes are per-connection and keep their capacity, so the steady state allocates
// only Beast's header fields. The response is written as plain bytes: every answer the sink
// gives is a status line, two or three headers and a short body.
//
// Errors: a malformed request gets 400, a body over kBodyLimit 413; both close the
// connection (the stream is out of sync). Read/write errors close it silently.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "alertgate/time.hpp"

namespace alertgate::bench::sink {

using Socket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

inline constexpr std::size_t kBodyLimit = std::size_t{64} << 20;
inline constexpr std::uint32_t kHeaderLimit = 16 * 1024;

// The answer to one request. The views must stay valid until the next handle() call (the
// session copies them into its response bytes at once).
struct SinkReply {
  unsigned status = 200;
  std::string_view content_type;  // empty: no Content-Type header
  std::string_view body;
};

class SinkSession;

// What a session needs from its sink. Every call happens on the sink thread.
class SinkHandler {
 public:
  virtual ~SinkHandler() = default;
  // A complete request, read at `arrival` (system_clock, read once when the read
  // completed). `body` belongs to the session and may be padded or modified.
  virtual SinkReply handle(boost::beast::http::verb method, std::string_view target,
                           std::string& body, TimePoint arrival) = 0;
  virtual void opened(SinkSession* session) = 0;
  virtual void closed(SinkSession* session) = 0;
};

class SinkSession : public std::enable_shared_from_this<SinkSession> {
 public:
  SinkSession(SinkHandler& handler, Socket socket);
  ~SinkSession();
  SinkSession(const SinkSession&) = delete;
  SinkSession& operator=(const SinkSession&) = delete;

  void start() { do_read(); }
  // Closes the socket now; pending operations complete with operation_aborted.
  void close();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec);
  void reply(const SinkReply& r, bool close_after);
  void on_write(boost::beast::error_code ec);

  SinkHandler& handler_;
  Socket socket_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::string out_;
  unsigned version_ = 11;
  bool head_ = false;
  bool close_after_write_ = false;
  bool closed_ = false;
};

}  // namespace alertgate::bench::sink
