// HttpClient's curl sockets and timer on Asio (see http_client.cpp for the design).
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include "sinks/http_client_impl.hpp"

namespace alertgate {

namespace asio = boost::asio;
using sinks::Sock;

void HttpClient::Impl::action(int fd, int flags) {
  if (multi == nullptr) return;
  int running = 0;
  curl_multi_socket_action(multi, fd, flags, &running);
}

void HttpClient::Impl::cancel_waits(Sock& s) {
  boost::system::error_code ec;
  s.desc.cancel(ec);
  ++s.generation;
  s.pending[0] = s.pending[1] = false;
}

void HttpClient::Impl::arm(const std::shared_ptr<Sock>& sp) {
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

void HttpClient::Impl::on_ready(const std::shared_ptr<Sock>& sp, int flags) {
  action(sp->desc.native_handle(), flags);
  if (!sp->closed) arm(sp);  // curl only calls on_socket when its interest changes
  process_done();
}

void HttpClient::Impl::forget(SockMap::iterator it) {
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

int HttpClient::Impl::on_socket(CURL*, curl_socket_t fd, int what, void* user, void*) {
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
  const bool dropped =
      (s.pending[0] && (what & CURL_POLL_IN) == 0) || (s.pending[1] && (what & CURL_POLL_OUT) == 0);
  if (dropped) self->cancel_waits(s);
  s.wanted = what;
  self->arm(it->second);
  return 0;
}

// curl re-sets its timeout on nearly every call: 0 for each new transfer, then the next
// connect or response deadline. Every Asio timer re-arm that becomes the reactor's earliest
// timer, and every expiry, is a timerfd_settime system call: measured at a third of the
// daemon's CPU at 10,000 notifications/s (perf, bench: `alertgate bench` e2e). So the timer
// is kept lazily: "now" is a post, not a timer; a later deadline leaves an earlier armed
// timer alone and -1 leaves it armed (an early CURL_SOCKET_TIMEOUT is a no-op for curl).
// After each timeout run, curl_multi_timeout() says the real next deadline, because curl
// does not call this callback again for a deadline it already announced.
int HttpClient::Impl::on_timer(CURLM*, long timeout_ms, void* user) {
  static_cast<Impl*>(user)->schedule_timeout(timeout_ms);
  return 0;
}

void HttpClient::Impl::schedule_timeout(long timeout_ms) {
  if (timeout_ms < 0 || stopped) return;
  if (timeout_ms == 0) {
    if (timeout_posted) return;
    timeout_posted = true;
    asio::post(io, [this, w = weak()] {
      if (w.expired()) return;
      timeout_posted = false;
      on_timeout();
    });
    return;
  }
  const auto at = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  if (timer_armed && timer_at <= at) return;
  timer_armed = true;
  timer_at = at;
  timer.expires_at(at);
  timer.async_wait([this, w = weak()](const boost::system::error_code& ec) {
    if (w.expired() || ec) return;  // ec: replaced by an earlier deadline, or stopped
    timer_armed = false;
    on_timeout();
  });
}

void HttpClient::Impl::on_timeout() {
  if (multi == nullptr) return;
  action(CURL_SOCKET_TIMEOUT, 0);
  process_done();
  long next = -1;
  if (multi != nullptr && curl_multi_timeout(multi, &next) == CURLM_OK) schedule_timeout(next);
}

curl_socket_t HttpClient::Impl::open_socket(void* user, curlsocktype purpose, curl_sockaddr* addr) {
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

int HttpClient::Impl::close_socket(void* user, curl_socket_t fd) {
  auto* self = static_cast<Impl*>(user);
  auto it = self->sockets.find(fd);
  if (it == self->sockets.end()) return ::close(fd);
  self->forget(it);
  return 0;
}

}  // namespace alertgate
