#include "alertgate/bench/embedded_sink.hpp"

#include <simdjson.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <charconv>
#include <cstdio>
#include <exception>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "alertgate/bench/bench_marker.hpp"
#include "alertgate/json_text.hpp"
#include "bench/sink_session.hpp"

namespace alertgate::bench {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// The bitmap grows on demand, but a garbage seq (2^60) must not make it allocate exabytes:
// beyond 2^32 seqs (512 MiB of bitmap; a day of sending at 50,000 alerts/s) a seq is only
// tracked if the run announced it in expected_alerts. Untracked seqs count as unreadable.
constexpr std::uint64_t kMaxUnannouncedSeq = std::uint64_t{1} << 32;

Result<tcp::endpoint> parse_listen(std::string_view text) {
  const auto fail = [&] {
    return unexpected(Error{"sink: bad listen address \"" + std::string(text) +
                            "\" (want HOST:PORT with an IP literal or localhost)"});
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return fail();
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return fail();
  }
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code bad;
  const auto address = asio::ip::make_address(std::string(host), bad);
  if (bad) return fail();
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

SinkCounts minus(const SinkCounts& a, const SinkCounts& b) {
  return {a.requests - b.requests, a.distinct - b.distinct, a.duplicates - b.duplicates,
          a.unreadable - b.unreadable};
}

}  // namespace

struct EmbeddedSink::Impl final : sink::SinkHandler {
  explicit Impl(SinkOptions o) : options(std::move(o)) {
    seen.resize((options.expected_alerts + 63) / 64);
    if (options.steps > 1) {
      step_hists.resize(options.steps);
      step_counts.resize(options.steps);
    }
  }

  // --- sink thread (other threads: through on_sink_thread, or once the thread is gone) ---
  sink::SinkReply handle(bhttp::verb method, std::string_view target, std::string& body,
                         TimePoint arrival) override;
  void opened(sink::SinkSession* s) override { sessions.insert(s); }
  void closed(sink::SinkSession* s) override { sessions.erase(s); }
  bool read_body(std::string& body, TimePoint arrival);
  void sighting(const Marker& m, TimePoint arrival);
  bool track(std::uint64_t seq, bool& first);
  void do_accept();
  void shutdown();

  // Runs f on the sink thread and waits for its result; runs it here when the thread is
  // not running (before start(), after stop()). The lock keeps stop() from ending the
  // thread between the check and the answer, so a posted query always runs.
  template <typename F>
  auto on_sink_thread(F&& f) -> std::invoke_result_t<F&> {
    std::lock_guard lock(control);
    if (!running) return f();
    std::promise<std::invoke_result_t<F&>> answer;
    auto result = answer.get_future();
    asio::post(io, [&] { answer.set_value(f()); });
    return result.get();
  }

  SinkOptions options;
  LatencyHistogram interval_hist;
  LatencyHistogram total_hist;
  std::vector<LatencyHistogram> step_hists;  // steps > 1 only
  std::vector<std::uint64_t> step_counts;    // first sightings per step
  std::vector<std::uint64_t> seen;           // bitmap of seqs seen
  SinkCounts total;
  SinkCounts at_last_collect;
  TimePoint first_delivery{};
  TimePoint last_delivery{};
  simdjson::dom::parser json;
  simdjson::dom::element doc;
  std::vector<Marker> body_markers;  // scan mode: the markers of one body
  std::string reply_body;
  std::unordered_set<sink::SinkSession*> sessions;

  // --- control, any thread ---
  std::mutex control;
  bool running = false;
  bool stopped = false;
  unsigned short port = 0;
  std::thread thread;
  // Last, so destroyed first: a handler still queued holds a session, whose destructor
  // unregisters it from `sessions`.
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
};

sink::SinkReply EmbeddedSink::Impl::handle(bhttp::verb method, std::string_view target,
                                           std::string& body, TimePoint arrival) {
  if (method != bhttp::verb::post) return {405, "text/plain", "only POST\n"};
  ++total.requests;
  if (!read_body(body, arrival)) {
    ++total.unreadable;
    return {400, "text/plain", "body is not JSON\n"};
  }
  const std::string_view path = target.substr(0, target.find('?'));
  constexpr std::string_view kEnqueue = "/v2/enqueue";
  if (path.size() >= kEnqueue.size() && path.substr(path.size() - kEnqueue.size()) == kEnqueue) {
    // PagerDuty Events API v2 answers with the event's dedup_key.
    std::string_view key;
    if (doc.is_object() && doc["dedup_key"].get_string().get(key) != simdjson::SUCCESS) key = {};
    reply_body.assign(R"({"status":"success","message":"Event processed","dedup_key":)");
    append_json_string(reply_body, key);
    reply_body.push_back('}');
    return {202, "application/json", reply_body};
  }
  if (path.substr(0, 10) == "/services/") return {200, "text/plain; charset=utf-8", "ok"};
  return {200, {}, {}};
}

bool EmbeddedSink::Impl::read_body(std::string& body, TimePoint arrival) {
  // The session's body string keeps its capacity across requests: padding costs nothing
  // after the first body of a given size.
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  if (json.parse(body.data(), body.size(), false).get(doc) != simdjson::SUCCESS) return false;
  simdjson::dom::array alerts;
  if (doc.is_object() && doc["alerts"].get_array().get(alerts) == simdjson::SUCCESS) {
    // Webhook v4: one marker per alert; commonAnnotations repeats it and must not count.
    for (simdjson::dom::element alert : alerts) {
      simdjson::dom::object annotations;
      if (alert["annotations"].get_object().get(annotations) != simdjson::SUCCESS) continue;
      std::string_view text;
      Marker m;
      if (annotations["alertgate_bench"].get_string().get(text) == simdjson::SUCCESS) {
        if (parse_marker(text, m)) {
          sighting(m, arrival);
        } else {
          ++total.unreadable;
        }
        continue;
      }
      // An alert ingested as a PagerDuty event carries its details, marker included, as
      // the JSON text of annotations.custom_details: the first marker found in any value.
      bool found = false;
      for (auto field : annotations) {
        if (found || field.value.get_string().get(text) != simdjson::SUCCESS) continue;
        total.unreadable += scan_markers(text, [&](const Marker& x) {
          if (!found) sighting(x, arrival);
          found = true;
        });
      }
    }
    return true;
  }
  // Any other shape (Slack text, PagerDuty custom_details, ...): a byte scan. A body may
  // quote the same annotation twice (summary and details): once per body per seq.
  body_markers.clear();
  total.unreadable += scan_markers(body, [this](const Marker& m) { body_markers.push_back(m); });
  std::sort(body_markers.begin(), body_markers.end(),
            [](const Marker& a, const Marker& b) { return a.seq < b.seq; });
  for (std::size_t i = 0; i < body_markers.size(); ++i) {
    if (i == 0 || body_markers[i].seq != body_markers[i - 1].seq)
      sighting(body_markers[i], arrival);
  }
  return true;
}

bool EmbeddedSink::Impl::track(std::uint64_t seq, bool& first) {
  const std::uint64_t word = seq / 64;
  if (word >= seen.size()) {
    if (seq >= std::max(kMaxUnannouncedSeq, options.expected_alerts)) return false;
    // Doubling: a run longer than announced grows the bitmap a logarithmic number of times.
    seen.resize(std::max<std::size_t>(word + 1, seen.size() * 2));
  }
  const std::uint64_t bit = std::uint64_t{1} << (seq % 64);
  first = (seen[word] & bit) == 0;
  seen[word] |= bit;
  return true;
}

void EmbeddedSink::Impl::sighting(const Marker& m, TimePoint arrival) {
  bool first = false;
  if (!track(m.seq, first)) {
    ++total.unreadable;
    return;
  }
  if (!first) {
    ++total.duplicates;
    return;
  }
  ++total.distinct;
  if (first_delivery == TimePoint{}) first_delivery = arrival;
  last_delivery = arrival;
  // Clamped at 0: intended times come from the same clock, but a clock step backwards
  // must not produce negative latencies.
  const std::int64_t latency = std::max<std::int64_t>(0, (arrival - m.intended).count());
  interval_hist.record(latency);
  total_hist.record(latency);
  if (!step_hists.empty() && options.step_of_seq) {
    const std::size_t k = options.step_of_seq(m.seq);
    if (k < step_hists.size()) {
      step_hists[k].record(latency);
      ++step_counts[k];
    }
  }
}

void EmbeddedSink::Impl::do_accept() {
  acceptor.async_accept(io, [this](boost::system::error_code ec, sink::Socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<sink::SinkSession>(*this, std::move(socket))->start();
    }
    do_accept();
  });
}

void EmbeddedSink::Impl::shutdown() {
  boost::system::error_code ignored;
  acceptor.close(ignored);
  // Copy: closing may destroy sessions, which unregister themselves.
  const std::vector<sink::SinkSession*> open(sessions.begin(), sessions.end());
  for (sink::SinkSession* s : open) {
    if (sessions.count(s) != 0) s->close();
  }
}

EmbeddedSink::EmbeddedSink(SinkOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

EmbeddedSink::~EmbeddedSink() { stop(); }

Result<unsigned short> EmbeddedSink::start() {
  Impl& s = *impl_;
  std::lock_guard lock(s.control);
  if (s.running || s.stopped)
    return unexpected(Error{"sink: start() called twice or after stop()"});
  auto at = parse_listen(s.options.listen);
  if (!at) return unexpected(std::move(at.error()));
  boost::system::error_code ec;
  s.acceptor.open(at->protocol(), ec);
  if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(*at, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) s.port = s.acceptor.local_endpoint(ec).port();
  if (ec) {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    return unexpected(Error{"sink: cannot listen on " + s.options.listen + ": " + ec.message()});
  }
  s.do_accept();
  s.running = true;
  s.thread = std::thread([&s] {
    // A handler that throws (bad_alloc) must not end the thread: queries would wait forever.
    for (;;) {
      try {
        s.io.run();
        return;
      } catch (const std::exception& e) {
        // stderr, not log::: the bench stage does not link the obs stage that owns the log.
        std::fprintf(stderr, "alertgate bench sink: handler failed: %s\n", e.what());
      }
    }
  });
  return s.port;
}

unsigned short EmbeddedSink::port() const { return impl_->port; }

SinkCounts EmbeddedSink::collect_interval(LatencyHistogram& into) {
  Impl& s = *impl_;
  return s.on_sink_thread([&s, &into] {
    into.merge(s.interval_hist);
    s.interval_hist.reset();
    const SinkCounts interval = minus(s.total, s.at_last_collect);
    s.at_last_collect = s.total;
    return interval;
  });
}

SinkCounts EmbeddedSink::totals(LatencyHistogram& into) {
  Impl& s = *impl_;
  return s.on_sink_thread([&s, &into] {
    into.merge(s.total_hist);
    return s.total;
  });
}

SinkProgress EmbeddedSink::progress() {
  Impl& s = *impl_;
  return s.on_sink_thread([&s] {
    return SinkProgress{s.total, s.first_delivery, s.last_delivery};
  });
}

std::uint64_t EmbeddedSink::step_result(std::size_t k, LatencyHistogram& into) {
  Impl& s = *impl_;
  return s.on_sink_thread([&s, &into, k]() -> std::uint64_t {
    if (s.options.steps == 1 && k == 0) {  // one step: the whole run
      into.merge(s.total_hist);
      return s.total.distinct;
    }
    if (k >= s.step_hists.size()) return 0;
    into.merge(s.step_hists[k]);
    return s.step_counts[k];
  });
}

void EmbeddedSink::stop() {
  Impl& s = *impl_;
  std::lock_guard lock(s.control);
  if (s.stopped) return;
  s.stopped = true;
  if (s.running) {
    asio::post(s.io, [&s] {
      s.shutdown();
      s.io.stop();
    });
    s.thread.join();
    s.running = false;
    // Run the handlers the close aborted, here: they release the last session references.
    s.io.restart();
    s.io.poll();
  }
  boost::system::error_code ignored;
  s.acceptor.close(ignored);
}

}  // namespace alertgate::bench
