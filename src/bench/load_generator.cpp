#include "alertgate/bench/load_generator.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

namespace alertgate::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kLate = std::chrono::milliseconds(1);
}  // namespace

void LoadCounts::add(const LoadCounts& o) {
  requests_sent += o.requests_sent;
  requests_answered += o.requests_answered;
  alerts_sent += o.alerts_sent;
  alerts_acked += o.alerts_acked;
  errors += o.errors;
  late_sends += o.late_sends;
  due += o.due;
  for (std::size_t i = 0; i < status.size(); ++i) status[i] += o.status[i];
  if (per_tenant_acked.size() < o.per_tenant_acked.size()) {
    per_tenant_acked.resize(o.per_tenant_acked.size());
  }
  for (std::size_t i = 0; i < o.per_tenant_acked.size(); ++i) {
    per_tenant_acked[i] += o.per_tenant_acked[i];
  }
}

Result<TargetUrl> parse_target_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return unexpected(Error{"target must be an http:// URL"});
  }
  std::string_view rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  TargetUrl t;
  t.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  t.host_header = std::string(authority);
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {  // [v6]:port
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return unexpected(Error{"target: unclosed ["});
    port = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!port.empty() && port.front() != ':') return unexpected(Error{"target: bad port"});
    if (!port.empty()) port.remove_prefix(1);
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) return unexpected(Error{"target: no host"});
  t.host = std::string(host);
  if (!port.empty()) {
    unsigned v = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || v > 65535) return unexpected(Error{"target: bad port"});
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535) return unexpected(Error{"target: bad port"});
    t.port = static_cast<unsigned short>(v);
  }
  return t;
}

namespace {

struct Worker;

// One keep-alive connection. Lives on its worker's thread.
struct Connection {
  explicit Connection(Worker& w);

  Worker& worker;
  beast::tcp_stream stream;
  bool connected = false;
  bhttp::request<bhttp::string_body> request;
  bhttp::response<bhttp::string_body> response;
  beast::flat_buffer buffer;
  std::uint64_t index = 0;  // global request index in flight
  TimePoint intended{};
};

struct Worker {
  Worker(unsigned id, unsigned count, const OpenLoopSchedule& s, const BodyGenerator& b,
         const LoadOptions& o)
      : id(id), count(count), schedule(s), bodies(b), options(o), timer(ioc) {
    const std::uint64_t total = schedule.total();
    total_k = total > id ? (total - id + count - 1) / count : 0;
    if (schedule.step_count() > 1) {
      step_histograms.reserve(schedule.step_count());
      for (std::size_t k = 0; k < schedule.step_count(); ++k) step_histograms.emplace_back();
      step_counts.resize(schedule.step_count());
    }
    interval_counts.per_tenant_acked.resize(options.tenants.size());
    total_counts.per_tenant_acked.resize(options.tenants.size());
    for (auto& c : step_counts) c.per_tenant_acked.resize(options.tenants.size());
  }

  std::uint64_t global(std::uint64_t k) const { return id + k * count; }
  std::uint64_t due_k(TimePoint t) const {
    const std::uint64_t due = schedule.due(t);
    return due > id ? std::min(total_k, (due - id + count - 1) / count) : 0;
  }

  void pump();
  void send(Connection& c, std::uint64_t k);
  void on_answer(Connection& c, unsigned status);
  void fail(Connection& c);
  void shutdown();
  LoadCounts take_interval(LatencyHistogram& into);

  unsigned id;
  unsigned count;
  const OpenLoopSchedule& schedule;
  const BodyGenerator& bodies;
  const LoadOptions& options;
  tcp::endpoint endpoint;
  asio::io_context ioc{1};
  asio::steady_timer timer;
  bool timer_armed = false;
  bool done = false;
  std::vector<std::unique_ptr<Connection>> connections;
  std::vector<Connection*> idle;
  std::uint64_t total_k = 0;
  std::uint64_t next_k = 0;
  std::uint64_t answered_k = 0;
  std::function<void()> on_done;

  LatencyHistogram total_histogram;
  LatencyHistogram interval_histogram;
  std::vector<LatencyHistogram> step_histograms;
  LoadCounts total_counts;
  LoadCounts interval_counts;
  std::vector<LoadCounts> step_counts;
};

Connection::Connection(Worker& w) : worker(w), stream(w.ioc) {
  request.version(11);
  request.method(bhttp::verb::post);
  request.target(w.options.target.path);
  request.set(bhttp::field::host, w.options.target.host_header);
  request.set(bhttp::field::user_agent, "alertgate-bench");
  request.set(bhttp::field::content_type, "application/json");
  request.keep_alive(true);
}

void Worker::pump() {
  if (done) return;
  const TimePoint t = now();
  const std::uint64_t due = due_k(t);
  while (next_k < due && !idle.empty()) {
    Connection* c = idle.back();
    idle.pop_back();
    send(*c, next_k++);
  }
  if (next_k < total_k && !idle.empty() && !timer_armed) {
    timer_armed = true;
    const auto wait = schedule.intended(global(next_k)) - t;
    timer.expires_after(std::max(wait, std::chrono::nanoseconds(0)));
    timer.async_wait([this](beast::error_code ec) {
      timer_armed = false;
      if (!ec) pump();
    });
  }
}

void Worker::send(Connection& c, std::uint64_t k) {
  c.index = global(k);
  c.intended = schedule.intended(c.index);
  const TimePoint t = now();
  const bool late = t - c.intended > kLate;
  const std::size_t tenant = c.index % options.tenants.size();
  const auto& who = options.tenants[tenant];
  bodies.build(c.index, c.intended, who.routing_key, c.request.body());
  if (who.authorization.empty()) {
    c.request.erase(bhttp::field::authorization);
  } else {
    c.request.set(bhttp::field::authorization, who.authorization);
  }
  c.request.prepare_payload();
  const std::uint64_t alerts = bodies.options().batch;
  for (LoadCounts* counts : {&total_counts, &interval_counts}) {
    counts->requests_sent += 1;
    counts->alerts_sent += alerts;
    counts->late_sends += late ? 1 : 0;
  }
  if (!step_counts.empty()) {
    LoadCounts& s = step_counts[schedule.step_of(c.index)];
    s.requests_sent += 1;
    s.alerts_sent += alerts;
    s.late_sends += late ? 1 : 0;
  }

  c.stream.expires_after(options.timeout);
  auto write = [this, &c] {
    bhttp::async_write(c.stream, c.request, [this, &c](beast::error_code ec, std::size_t) {
      if (ec) return fail(c);
      c.response = {};
      bhttp::async_read(c.stream, c.buffer, c.response,
                        [this, &c](beast::error_code rec, std::size_t) {
                          if (rec) return fail(c);
                          if (!c.response.keep_alive()) {
                            beast::error_code ignored;
                            c.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
                            c.stream.close();
                            c.connected = false;
                          }
                          on_answer(c, c.response.result_int());
                        });
    });
  };
  if (c.connected) return write();
  c.stream.async_connect(endpoint, [this, &c, write](beast::error_code ec) {
    if (ec) return fail(c);
    c.connected = true;
    c.buffer.clear();
    c.stream.socket().set_option(tcp::no_delay(true));
    write();
  });
}

void Worker::fail(Connection& c) {
  beast::error_code ignored;
  c.stream.socket().close(ignored);
  c.connected = false;
  c.buffer.clear();
  on_answer(c, 0);
}

void Worker::on_answer(Connection& c, unsigned status) {
  if (done) return;
  const std::int64_t latency = (now() - c.intended).count();
  const bool ok = status >= 200 && status < 300;
  const std::size_t tenant = c.index % options.tenants.size();
  const std::uint64_t alerts = bodies.options().batch;
  const std::size_t slot = status < 600 ? status : 0;
  auto count = [&](LoadCounts& counts) {
    counts.requests_answered += 1;
    counts.status[slot] += 1;
    if (ok) {
      counts.alerts_acked += alerts;
      counts.per_tenant_acked[tenant] += alerts;
    } else {
      counts.errors += 1;
    }
  };
  count(total_counts);
  count(interval_counts);
  total_histogram.record(latency);
  interval_histogram.record(latency);
  if (!step_counts.empty()) {
    const std::size_t step = schedule.step_of(c.index);
    count(step_counts[step]);
    step_histograms[step].record(latency);
  }
  idle.push_back(&c);
  if (++answered_k == total_k) return shutdown();
  pump();
}

void Worker::shutdown() {
  if (done) return;
  done = true;
  timer.cancel();
  for (auto& c : connections) {
    beast::error_code ignored;
    c->stream.socket().close(ignored);
  }
  if (on_done) on_done();
}

LoadCounts Worker::take_interval(LatencyHistogram& into) {
  into.merge(interval_histogram);
  interval_histogram.reset();
  LoadCounts out = interval_counts;
  out.due = due_k(now());
  interval_counts = LoadCounts{};
  interval_counts.per_tenant_acked.resize(options.tenants.size());
  return out;
}

}  // namespace

struct LoadGenerator::Impl {
  LoadOptions options;
  const OpenLoopSchedule& schedule;
  const BodyGenerator& bodies;
  std::vector<std::unique_ptr<Worker>> workers;

  // post_mutex guards `running` and is held while a collector waits for the workers; the
  // workers never take it (a worker finishing takes done_mutex), so they cannot deadlock.
  std::mutex post_mutex;
  bool running = false;
  std::mutex done_mutex;
  std::condition_variable done_cv;
  unsigned finished = 0;
  bool stopping = false;

  Impl(LoadOptions o, const OpenLoopSchedule& s, const BodyGenerator& b)
      : options(std::move(o)), schedule(s), bodies(b) {
    if (options.tenants.empty()) options.tenants.emplace_back();
    options.threads = std::max(1U, options.threads);
    options.connections = std::max(options.connections, options.threads);
    for (unsigned w = 0; w < options.threads; ++w) {
      workers.push_back(std::make_unique<Worker>(w, options.threads, schedule, bodies, options));
    }
  }

  // Runs fn(worker) on each worker's thread while they run, or here once they stopped.
  template <typename Fn>
  void each_worker(Fn fn) {
    std::unique_lock lock(post_mutex);
    if (!running) {
      for (auto& w : workers) fn(*w);
      return;
    }
    for (auto& w : workers) {
      std::promise<void> done;
      asio::post(w->ioc, [&] {
        fn(*w);
        done.set_value();
      });
      done.get_future().wait();
    }
  }
};

LoadGenerator::LoadGenerator(LoadOptions options, const OpenLoopSchedule& schedule,
                             const BodyGenerator& bodies)
    : impl_(std::make_unique<Impl>(std::move(options), schedule, bodies)) {}

LoadGenerator::~LoadGenerator() { stop(); }

Result<bool> LoadGenerator::run() {
  Impl& s = *impl_;
  tcp::endpoint endpoint;
  beast::error_code ec;
  const auto address = asio::ip::make_address(s.options.target.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, s.options.target.port);
  } else {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    auto results =
        resolver.resolve(s.options.target.host, std::to_string(s.options.target.port), ec);
    if (ec || results.empty()) {
      return unexpected(Error{fmt::format("cannot resolve {}: {}", s.options.target.host,
                                          ec ? ec.message() : "no address")});
    }
    endpoint = *results.begin();
  }

  const unsigned per_worker_base = s.options.connections / s.options.threads;
  const unsigned extra = s.options.connections % s.options.threads;
  std::vector<std::thread> threads;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  {
    std::lock_guard lock(s.post_mutex);
    s.running = true;
  }
  for (auto& w : s.workers) {
    w->endpoint = endpoint;
    const unsigned n = per_worker_base + (w->id < extra ? 1 : 0);
    for (unsigned c = 0; c < n; ++c) {
      w->connections.push_back(std::make_unique<Connection>(*w));
      w->idle.push_back(w->connections.back().get());
    }
    w->on_done = [&s] {
      std::lock_guard lock(s.done_mutex);
      ++s.finished;
      s.done_cv.notify_all();
    };
    guards.push_back(asio::make_work_guard(w->ioc));
    Worker* raw = w.get();
    if (raw->total_k == 0) {
      raw->done = true;
      std::lock_guard lock(s.done_mutex);
      ++s.finished;
    } else {
      asio::post(raw->ioc, [raw] { raw->pump(); });
    }
    threads.emplace_back([raw] { raw->ioc.run(); });
  }
  {
    std::unique_lock lock(s.done_mutex);
    s.done_cv.wait(lock, [&] { return s.stopping || s.finished == s.workers.size(); });
  }
  {
    std::lock_guard lock(s.post_mutex);  // waits for a collector in progress
    s.running = false;
  }
  // Nobody posts to the workers any more (running is false): stop them for good.
  for (auto& w : s.workers) {
    Worker* raw = w.get();
    asio::post(raw->ioc, [raw] { raw->shutdown(); });
  }
  guards.clear();
  for (auto& w : s.workers) w->ioc.stop();
  for (auto& t : threads) t.join();
  return true;
}

void LoadGenerator::stop() {
  std::lock_guard lock(impl_->done_mutex);
  impl_->stopping = true;
  impl_->done_cv.notify_all();
}

LoadCounts LoadGenerator::collect_interval(LatencyHistogram& into) {
  LoadCounts out;
  impl_->each_worker([&](Worker& w) { out.add(w.take_interval(into)); });
  return out;
}

LoadCounts LoadGenerator::totals(LatencyHistogram& into) {
  LoadCounts out;
  impl_->each_worker([&](Worker& w) {
    into.merge(w.total_histogram);
    out.add(w.total_counts);
    out.due += w.due_k(now());
  });
  return out;
}

LoadCounts LoadGenerator::step_totals(std::size_t k, LatencyHistogram& into) {
  LoadCounts out;
  impl_->each_worker([&](Worker& w) {
    if (k >= w.step_counts.size()) return;
    into.merge(w.step_histograms[k]);
    out.add(w.step_counts[k]);
  });
  return out;
}

}  // namespace alertgate::bench
