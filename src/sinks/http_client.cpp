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
// Re-entrancy: curl callbacks only record state and start waits; curl_multi_* is called
// from our completion handlers, post/send_mail and stop, never from inside a curl callback.
// User callbacks run after curl returned, from a batch collected with curl_multi_info_read.
#include "alertgate/http_client.hpp"

#include <boost/asio/post.hpp>
#include <stdexcept>
#include <utility>

#include "sinks/http_client_impl.hpp"

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

}  // namespace

HttpClient::Impl::Impl(asio::io_context& context) : io(context), timer(context) {
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

HttpClient::Impl::~Impl() {
  for (auto& [t, owned] : active) curl_multi_remove_handle(multi, t->easy());
  active.clear();
  teardown();
}

void HttpClient::Impl::add(std::unique_ptr<CurlTransfer> t) {
  if (const CURLMcode mc = curl_multi_add_handle(multi, t->easy()); mc != CURLM_OK) {
    Callback cb = std::move(t->done);
    release(std::move(t));
    return fail_later(std::move(cb), curl_multi_strerror(mc));
  }
  CurlTransfer* key = t.get();
  active.emplace(key, std::move(t));
}

void HttpClient::Impl::stop() {
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
void HttpClient::Impl::teardown() {
  if (multi != nullptr) curl_multi_cleanup(multi);
  multi = nullptr;
  timer.cancel();
  while (!sockets.empty()) forget(sockets.begin());
}

std::unique_ptr<CurlTransfer> HttpClient::Impl::acquire() {
  if (pool.empty()) return std::make_unique<CurlTransfer>();
  auto t = std::move(pool.back());
  pool.pop_back();
  return t;
}

void HttpClient::Impl::release(std::unique_ptr<CurlTransfer> t) {
  t->reset();
  if (pool.size() < kMaxPooledTransfers) pool.push_back(std::move(t));
}

// Errors found before curl saw the transfer still complete asynchronously, never inside
// the caller's post()/send_mail().
void HttpClient::Impl::fail_later(Callback done, std::string error) {
  asio::post(io, [done = std::move(done), error = std::move(error), w = weak()]() mutable {
    if (w.expired()) return;
    HttpResponse r;
    r.error = std::move(error);
    done(std::move(r));
  });
}

// Runs user callbacks; one of them may stop or even destroy the client.
void HttpClient::Impl::run_callbacks(std::vector<Completed>& batch) {
  const std::weak_ptr<bool> w = weak();
  for (auto& [cb, response] : batch) {
    if (w.expired()) return;
    if (cb) cb(std::move(response));
  }
}

void HttpClient::Impl::process_done() {
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
