// HttpClient::Impl: the state behind HttpClient, shared by http_client.cpp (transfers,
// completion, shutdown) and http_client_sockets.cpp (curl's socket and timer callbacks on
// Asio). Private to the sinks stage; the design notes are in http_client.cpp.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "alertgate/http_client.hpp"
#include "sinks/curl_transfer.hpp"

namespace alertgate {
namespace sinks {

// One socket curl watches, wrapped for Asio. Pending handlers hold it by shared_ptr.
struct Sock {
  Sock(boost::asio::io_context& io, bool owned_fd) : desc(io), owned(owned_fd) {}
  boost::asio::posix::stream_descriptor desc;
  bool owned;           // opened through OPENSOCKETFUNCTION: closed by us, when curl says so
  bool closed = false;  // gone: pending handlers must not touch anything
  int wanted = 0;       // CURL_POLL_IN / CURL_POLL_OUT bits curl asked for
  bool pending[2] = {false, false};  // a wait (or posted ready action) per direction
  unsigned generation = 0;           // bumped on cancel; stale handlers compare it
};

}  // namespace sinks

struct HttpClient::Impl {
  using Completed = std::pair<Callback, HttpResponse>;
  using SockMap = std::unordered_map<int, std::shared_ptr<sinks::Sock>>;

  explicit Impl(boost::asio::io_context& context);
  ~Impl();

  // Starts a transfer configured by `setup(transfer, hooks)`; failures complete via post.
  template <typename Setup>
  void start(Callback done, Setup&& setup) {
    if (stopped) return fail_later(std::move(done), "stopped");
    auto t = acquire();
    if (!t->valid()) return fail_later(std::move(done), "curl_easy_init failed");
    t->done = std::move(done);
    if (!setup(*t, hooks)) {
      std::string error = t->error();
      Callback cb = std::move(t->done);
      release(std::move(t));
      return fail_later(std::move(cb), std::move(error));
    }
    add(std::move(t));
  }

  // http_client.cpp: transfers, completion, shutdown.
  void add(std::unique_ptr<sinks::CurlTransfer> t);
  void stop();
  void teardown();
  std::unique_ptr<sinks::CurlTransfer> acquire();
  void release(std::unique_ptr<sinks::CurlTransfer> t);
  void fail_later(Callback done, std::string error);
  void run_callbacks(std::vector<Completed>& batch);
  void process_done();
  std::weak_ptr<bool> weak() const { return alive; }

  // http_client_sockets.cpp: curl's sockets and timer on Asio.
  void action(int fd, int flags);
  void cancel_waits(sinks::Sock& s);
  void arm(const std::shared_ptr<sinks::Sock>& sp);
  void on_ready(const std::shared_ptr<sinks::Sock>& sp, int flags);
  void forget(SockMap::iterator it);
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* user, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* user);
  void schedule_timeout(long timeout_ms);
  void on_timeout();
  static curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* addr);
  static int close_socket(void* user, curl_socket_t fd);

  boost::asio::io_context& io;
  boost::asio::steady_timer timer;
  // The armed deadline (timer_armed) and whether a zero timeout is already posted: curl's
  // timeout is kept lazily (http_client_sockets.cpp, on_timer).
  bool timer_armed = false;
  std::chrono::steady_clock::time_point timer_at{};
  bool timeout_posted = false;
  CURLM* multi = nullptr;
  sinks::SocketHooks hooks;
  SockMap sockets;
  std::unordered_map<sinks::CurlTransfer*, std::unique_ptr<sinks::CurlTransfer>> active;
  std::vector<std::unique_ptr<sinks::CurlTransfer>> pool;
  std::vector<Completed> scratch;                              // reused batch of completions
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);  // handlers hold a weak_ptr
  bool stopped = false;
};

}  // namespace alertgate
