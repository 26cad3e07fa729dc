#include "bench/sink_session.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <charconv>
#include <tuple>
#include <utility>

namespace alertgate::bench::sink {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

// Beast reads at most the buffer's free capacity per call: room for a typical batch so a
// 50 KB webhook body is one recv, not a hundred.
constexpr std::size_t kInitialReadCapacity = std::size_t{64} * 1024;

std::string_view reason(unsigned status) {
  switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    default: return "Unknown";
  }
}

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  out.append(buf, static_cast<std::size_t>(end - buf));
}

}  // namespace

SinkSession::SinkSession(SinkHandler& handler, Socket socket)
    : handler_(handler),
      socket_(std::move(socket)),
      // Bounded: one request's header and body plus some pipelined bytes.
      buffer_(kHeaderLimit + kBodyLimit + kInitialReadCapacity) {
  buffer_.reserve(kInitialReadCapacity);
  handler_.opened(this);
}

SinkSession::~SinkSession() { handler_.closed(this); }

void SinkSession::do_read() {
  // Hand the previous body's storage to the next parser: string_body appends to it, and a
  // body that already has the capacity of the largest batch seen is never reallocated.
  std::string recycled;
  if (parser_) {
    recycled = std::move(parser_->get().body());
    recycled.clear();
  }
  parser_.emplace(std::piecewise_construct, std::make_tuple(std::move(recycled)));
  parser_->body_limit(kBodyLimit);
  parser_->header_limit(kHeaderLimit);
  bhttp::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void SinkSession::on_read(beast::error_code ec) {
  if (ec) {
    if (closed_ || ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == asio::error::eof || ec == asio::error::connection_reset) {
      close();
      return;
    }
    version_ = parser_->is_header_done() ? parser_->get().version() : 11;
    head_ = false;
    const unsigned status = ec == bhttp::error::body_limit ? 413 : 400;
    reply(SinkReply{status, "text/plain", status == 413 ? "body too large\n" : "bad request\n"},
          true);
    return;
  }
  // Latency is measured to the moment the whole request has been read, before any parsing.
  const TimePoint arrival = alertgate::now();
  auto& request = parser_->get();
  version_ = request.version();
  head_ = request.method() == bhttp::verb::head;
  const bool keep_alive = request.keep_alive();
  const SinkReply r = handler_.handle(request.method(), request.target(), request.body(), arrival);
  reply(r, !keep_alive);
}

void SinkSession::reply(const SinkReply& r, bool close_after) {
  if (closed_) return;
  close_after_write_ = close_after;
  out_.clear();
  out_.append(version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_number(out_, r.status);
  out_.push_back(' ');
  out_.append(reason(r.status));
  out_.append("\r\n");
  if (!r.content_type.empty()) {
    out_.append("Content-Type: ");
    out_.append(r.content_type);
    out_.append("\r\n");
  }
  if (r.status == 405) out_.append("Allow: POST\r\n");
  out_.append("Content-Length: ");
  append_number(out_, r.body.size());
  out_.append("\r\n");
  if (close_after) {
    out_.append("Connection: close\r\n");
  } else if (version_ == 10) {
    out_.append("Connection: keep-alive\r\n");
  }
  out_.append("\r\n");
  if (!head_) out_.append(r.body);  // HEAD: the length of the body a GET would get, no body
  asio::async_write(
      socket_, asio::buffer(out_),
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void SinkSession::on_write(beast::error_code ec) {
  if (ec || close_after_write_ || closed_) {
    close();
    return;
  }
  do_read();
}

void SinkSession::close() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace alertgate::bench::sink
