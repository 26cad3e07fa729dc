// HttpClient: libcurl's multi-socket API driven by the reactor's io_context.
//
// Sockets: curl opens and closes its connection sockets through our OPENSOCKETFUNCTION /
// CLOSESOCKETFUNCTION, so each lives in an asio::posix::stream_descriptor from birth to
// death and Asio never closes an fd curl still uses (nor misses one curl closed). A socket
// curl opened itself (the threaded resolver's wake-up pipe) is wrapped too, but released,
// never closed, when curl stops watching it.
//
// Readiness: Asio registers descriptors edge-triggered and does not re-check readiness when
// a wait starts, while curl may leave bytes unread; so before each async_wait a zero-timeout
// poll(2) checks whether the socket is ready already (then the action is posted instead).
//
// Re-entrancy: curl callbacks only record state and start waits. curl_multi_* is called
// only from our own completion handlers, and user callbacks run after curl returned, from a
// batch collected with curl_multi_info_read.
#include "alertgate/http_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "sinks/curl_transfer.hpp"

namespace alertgate {

namespace asio = boost::asio;
using sinks::CurlTransfer;

const std::string* HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

namespace {

constexpr long kMaxHostConnections = 8;
constexpr long kMaxCachedConnections = 64;
constexpr std::size_t kMaxPooledTransfers = 64;

void global_init_once() {
  // libcurl 7.88 (feature "threadsafe"): curl_global_init may run on any thread.
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) throw std::runtime_error("curl_global_init failed");
}

struct Sock {
  Sock(asio::io_context& io, bool owned_fd) : desc(io), owned(owned_fd) {}
  asio::posix::stream_descriptor desc;
  bool owned;           // opened through OPENSOCKETFUNCTION: closed by us, when curl says so
  bool closed = false;  // gone: pending handlers must not touch anything
  int wanted = 0;       // CURL_POLL_IN / CURL_POLL_OUT bits curl asked for
  bool pending[2] = {false, false};  // a wait (or posted ready action) per direction
  unsigned generation = 0;           // bumped on cancel; stale handlers compare it
};

using Completed = std::pair<HttpClient::Callback, HttpResponse>;

}  // namespace

struct HttpClient::Impl {
  explicit Impl(asio::io_context& context) : io(context), timer(context) {
    global_init_once();
    multi = curl_multi_init();
    if (multi == nullptr) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, kMaxHostConnections);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, kMaxCachedConnections);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    hooks = {&Impl::open_socket, &Impl::close_socket, this};
  }

  ~Impl() {
    for (auto& [t, owned] : active) curl_multi_remove_handle(multi, t->easy());
    active.clear();
    teardown();
  }

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
    if (const CURLMcode mc = curl_multi_add_handle(multi, t->easy()); mc != CURLM_OK) {
      Callback cb = std::move(t->done);
      release(std::move(t));
      return fail_later(std::move(cb), curl_multi_strerror(mc));
    }
    CurlTransfer* key = t.get();
    active.emplace(key, std::move(t));
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    std::vector<Completed> batch;
    for (auto& [t, owned] : active) {
      curl_multi_remove_handle(multi, t->easy());
      batch.emplace_back(std::move(t->done), t->abort("stopped"));
    }
    while (!active.empty()) release(std::move(active.extract(active.begin()).mapped()));
    teardown();
    run_callbacks(batch);
  }

  // Closes every connection (through close_socket) and the timer: nothing keeps io busy.
  void teardown() {
    if (multi != nullptr) curl_multi_cleanup(multi);
    multi = nullptr;
    timer.cancel();
    while (!sockets.empty()) forget(sockets.begin());
  }

  std::unique_ptr<CurlTransfer> acquire() {
    if (pool.empty()) return std::make_unique<CurlTransfer>();
    auto t = std::move(pool.back());
    pool.pop_back();
    return t;
  }

  void release(std::unique_ptr<CurlTransfer> t) {
    t->reset();
    if (pool.size() < kMaxPooledTransfers) pool.push_back(std::move(t));
  }

  // Errors found before curl saw the transfer still complete asynchronously, never inside
  // the caller's post()/send_mail().
  void fail_later(Callback done, std::string error) {
    asio::post(io, [done = std::move(done), error = std::move(error), w = weak()]() mutable {
      if (w.expired()) return;
      HttpResponse r;
      r.error = std::move(error);
      done(std::move(r));
    });
  }

  std::weak_ptr<bool> weak() const { return alive; }

  // Runs user callbacks; one of them may stop or even destroy the client.
  void run_callbacks(std::vector<Completed>& batch) {
    const std::weak_ptr<bool> w = weak();
    for (auto& [cb, response] : batch) {
      if (w.expired()) return;
      if (cb) cb(std::move(response));
    }
  }

  void process_done() {
    std::vector<Completed> batch = std::move(scratch);
    batch.clear();
    int left = 0;
    while (multi != nullptr) {
      CURLMsg* m = curl_multi_info_read(multi, &left);
      if (m == nullptr) break;
      if (m->msg != CURLMSG_DONE) continue;
      CURL* easy = m->easy_handle;
      const CURLcode result = m->data.result;
      char* priv = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
      auto* t = reinterpret_cast<CurlTransfer*>(priv);
      HttpResponse response = t->finish(result);
      curl_multi_remove_handle(multi, easy);
      batch.emplace_back(std::move(t->done), std::move(response));
      auto node = active.extract(t);
      if (!node.empty()) release(std::move(node.mapped()));
    }
    if (batch.empty()) {
      scratch = std::move(batch);
      return;
    }
    const std::weak_ptr<bool> w = weak();
    run_callbacks(batch);
    if (w.expired()) return;
    batch.clear();
    scratch = std::move(batch);  // keeps its capacity for the next round
  }

  void action(curl_socket_t fd, int flags) {
    if (multi == nullptr) return;
    int running = 0;
    curl_multi_socket_action(multi, fd, flags, &running);
  }

  void cancel_waits(Sock& s) {
    boost::system::error_code ec;
    s.desc.cancel(ec);
    ++s.generation;
    s.pending[0] = s.pending[1] = false;
  }

  void arm(const std::shared_ptr<Sock>& sp) {
    Sock& s = *sp;
    for (int dir = 0; dir < 2; ++dir) {
      const int bit = dir == 0 ? CURL_POLL_IN : CURL_POLL_OUT;
      if ((s.wanted & bit) == 0 || s.pending[dir]) continue;
      s.pending[dir] = true;
      auto handler = [this, sp, dir, gen = s.generation,
                      w = weak()](const boost::system::error_code& ec) {
        if (w.expired() || sp->closed || gen != sp->generation) return;
        if (ec == asio::error::operation_aborted) return;
        sp->pending[dir] = false;
        on_ready(sp, ec ? CURL_CSELECT_ERR : (dir == 0 ? CURL_CSELECT_IN : CURL_CSELECT_OUT));
      };
      pollfd p{s.desc.native_handle(), static_cast<short>(dir == 0 ? POLLIN : POLLOUT), 0};
      if (::poll(&p, 1, 0) > 0) {
        asio::post(io, [handler = std::move(handler)] { handler({}); });
      } else {
        s.desc.async_wait(dir == 0 ? asio::posix::descriptor_base::wait_read
                                   : asio::posix::descriptor_base::wait_write,
                          std::move(handler));
      }
    }
  }

  void on_ready(const std::shared_ptr<Sock>& sp, int flags) {
    action(sp->desc.native_handle(), flags);
    if (!sp->closed) arm(sp);  // curl only calls on_socket when its interest changes
    process_done();
  }

  void forget(std::unordered_map<int, std::shared_ptr<Sock>>::iterator it) {
    auto sp = std::move(it->second);
    sockets.erase(it);
    sp->closed = true;
    boost::system::error_code ec;
    if (sp->owned) {
      sp->desc.close(ec);
    } else {
      sp->desc.cancel(ec);
      (void)sp->desc.release();
    }
  }

  static int on_socket(CURL*, curl_socket_t fd, int what, void* user, void*) {
    auto* self = static_cast<Impl*>(user);
    auto it = self->sockets.find(fd);
    if (what == CURL_POLL_REMOVE) {
      if (it == self->sockets.end()) return 0;
      if (!it->second->owned) {
        self->forget(it);  // curl's own fd: it closes it (maybe already did)
      } else {
        it->second->wanted = 0;  // idle in the connection cache
        self->cancel_waits(*it->second);
      }
      return 0;
    }
    if (it == self->sockets.end()) {
      auto sp = std::make_shared<Sock>(self->io, false);
      boost::system::error_code ec;
      sp->desc.assign(fd, ec);
      // Returning -1 would kill the whole multi; curl's timeouts end the transfer instead.
      if (ec) return 0;
      it = self->sockets.emplace(fd, std::move(sp)).first;
    }
    Sock& s = *it->second;
    const bool dropped = (s.pending[0] && (what & CURL_POLL_IN) == 0) ||
                         (s.pending[1] && (what & CURL_POLL_OUT) == 0);
    if (dropped) self->cancel_waits(s);
    s.wanted = what;
    self->arm(it->second);
    return 0;
  }

  static int on_timer(CURLM*, long timeout_ms, void* user) {
    auto* self = static_cast<Impl*>(user);
    if (timeout_ms < 0) {
      self->timer.cancel();
      return 0;
    }
    self->timer.expires_after(std::chrono::milliseconds(timeout_ms));
    self->timer.async_wait([self, w = self->weak()](const boost::system::error_code& ec) {
      if (w.expired() || ec) return;
      self->action(CURL_SOCKET_TIMEOUT, 0);
      self->process_done();
    });
    return 0;
  }

  static curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* addr) {
    auto* self = static_cast<Impl*>(user);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    const int fd = ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (fd < 0) return CURL_SOCKET_BAD;
    // A foreign fd with this number was closed by curl before it told us: drop our wrapper.
    if (auto it = self->sockets.find(fd); it != self->sockets.end()) self->forget(it);
    auto sp = std::make_shared<Sock>(self->io, true);
    boost::system::error_code ec;
    sp->desc.assign(fd, ec);
    if (ec) {
      ::close(fd);
      return CURL_SOCKET_BAD;
    }
    self->sockets.emplace(fd, std::move(sp));
    return fd;
  }

  static int close_socket(void* user, curl_socket_t fd) {
    auto* self = static_cast<Impl*>(user);
    auto it = self->sockets.find(fd);
    if (it == self->sockets.end()) return ::close(fd);
    self->forget(it);
    return 0;
  }

  asio::io_context& io;
  asio::steady_timer timer;
  CURLM* multi = nullptr;
  sinks::SocketHooks hooks;
  std::unordered_map<int, std::shared_ptr<Sock>> sockets;
  std::unordered_map<CurlTransfer*, std::unique_ptr<CurlTransfer>> active;
  std::vector<std::unique_ptr<CurlTransfer>> pool;
  std::vector<Completed> scratch;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);  // handlers hold a weak_ptr
  bool stopped = false;
};

HttpClient::HttpClient(asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}
HttpClient::~HttpClient() = default;

void HttpClient::post(const HttpRequestSpec& request, const TransferLimits& limits, Callback done) {
  impl_->start(std::move(done), [&](CurlTransfer& t, const sinks::SocketHooks& hooks) {
    return t.setup_post(request, limits, hooks);
  });
}

void HttpClient::send_mail(const MailSpec& mail, const SmtpSettings& smtp,
                           const TransferLimits& limits, Callback done) {
  impl_->start(std::move(done), [&](CurlTransfer& t, const sinks::SocketHooks& hooks) {
    return t.setup_mail(mail, smtp, limits, hooks);
  });
}

std::size_t HttpClient::in_flight() const { return impl_->active.size(); }

void HttpClient::stop() { impl_->stop(); }

}  // namespace alertgate
