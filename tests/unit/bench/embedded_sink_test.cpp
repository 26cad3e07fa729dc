#include "alertgate/bench/embedded_sink.hpp"

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "alertgate/bench/bench_marker.hpp"
#include "support/python_server.hpp"

namespace alertgate::bench {
namespace {

using namespace std::chrono_literals;

struct Answer {
  long status = 0;
  std::string body;
  long new_connections = 0;
};

// One libcurl easy handle: requests on the same Client reuse its keep-alive connection.
class Client {
 public:
  // No Catch2 macros here: clients are made on several threads. A failure shows as status 0.
  explicit Client(unsigned short port)
      : port_(port), easy_(global_init() ? curl_easy_init() : nullptr) {}
  ~Client() { curl_easy_cleanup(easy_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Answer send(const char* method, const std::string& path, const std::string& body = {}) {
    Answer a;
    if (easy_ == nullptr) return a;
    const std::string url = "http://127.0.0.1:" + std::to_string(port_) + path;
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, method);
    if (std::string_view(method) == "POST") {
      curl_easy_setopt(easy_, CURLOPT_NOBODY, 0L);  // a previous HEAD set it
      curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else {
      curl_easy_setopt(easy_, CURLOPT_HTTPGET, 1L);
      // After HTTPGET, which clears it.
      curl_easy_setopt(easy_, CURLOPT_NOBODY, std::string_view(method) == "HEAD" ? 1L : 0L);
    }
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers());
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Client::write);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &a.body);
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, 20'000L);
    if (curl_easy_perform(easy_) != CURLE_OK) return a;  // status 0
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &a.status);
    curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &a.new_connections);
    return a;
  }

 private:
  static bool global_init() {
    // libcurl >= 7.84 (Debian 12: 7.88): curl_global_init is thread-safe.
    static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    return ok;
  }
  static curl_slist* headers() {
    // No "Expect: 100-continue" round trip for large bodies.
    static curl_slist* const list =
        curl_slist_append(curl_slist_append(nullptr, "Content-Type: application/json"), "Expect:");
    return list;
  }
  static std::size_t write(char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  }

  unsigned short port_;
  CURL* easy_;
};

std::string marker(std::uint64_t seq, TimePoint intended) {
  std::string s;
  append_marker(s, Marker{seq, intended});
  return s;
}

// An Alertmanager webhook v4 body with one alert per entry of `alerts` (an empty marker
// text: an alert without the bench annotation).
std::string webhook(const std::vector<std::string>& alerts, const std::string& common = {}) {
  std::string b = R"({"version":"4","status":"firing","receiver":"bench","groupKey":"{}:{}",)";
  b += R"("groupLabels":{},"commonLabels":{"job":"bench"},"commonAnnotations":{)";
  if (!common.empty()) b += R"("alertgate_bench":")" + common + '"';
  b += R"(},"externalURL":"http://alertgate","alerts":[)";
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    if (i > 0) b += ',';
    b += R"({"status":"firing","labels":{"alertname":"A)" + std::to_string(i) +
         R"("},"annotations":{"summary":"s")";
    if (!alerts[i].empty()) b += R"(,"alertgate_bench":")" + alerts[i] + '"';
    b += R"(},"startsAt":"2026-12-04T10:00:00Z","endsAt":"0001-01-01T00:00:00Z"})";
  }
  b += "]}";
  return b;
}

TEST_CASE("bench: embedded sink counts webhook alerts once, per step and per interval") {
  SinkOptions options;
  options.expected_alerts = 4;  // seq 100 below makes the bitmap grow
  options.steps = 2;
  options.step_of_seq = [](std::uint64_t seq) -> std::size_t { return seq < 2 ? 0 : 1; };
  EmbeddedSink sink(options);
  auto port = sink.start();
  REQUIRE(port.ok());
  CHECK(sink.port() == *port);
  Client client(*port);
  CHECK(sink.progress().first_delivery == TimePoint{});

  // Intended 5 ms in the past: every latency is at least that.
  const TimePoint intended = alertgate::now() - std::chrono::milliseconds(5);
  // commonAnnotations carries a marker of its own: it must not count.
  auto a = client.send("POST", "/hook",
                       webhook({marker(0, intended), marker(1, intended)}, marker(99, intended)));
  CHECK(a.status == 200);
  CHECK(a.body.empty());
  const SinkProgress after_first = sink.progress();
  CHECK(after_first.counts.distinct == 2);
  CHECK(after_first.first_delivery > intended);
  CHECK(after_first.last_delivery == after_first.first_delivery);  // one request
  // Alert 1 again (a retry), alert 2, alert 100 (past the announced bitmap), and an alert
  // without a marker.
  a = client.send("POST", "/hook?x=1",
                  webhook({marker(1, intended), marker(2, intended), marker(100, intended), ""}));
  CHECK(a.status == 200);
  CHECK(a.new_connections == 0);  // keep-alive
  const SinkProgress after_second = sink.progress();
  CHECK(after_second.counts.distinct == 4);
  CHECK(after_second.counts.duplicates == 1);
  CHECK(after_second.first_delivery == after_first.first_delivery);
  CHECK(after_second.last_delivery >= after_first.last_delivery);

  LatencyHistogram interval;
  SinkCounts c = sink.collect_interval(interval);
  CHECK(c.requests == 2);
  CHECK(c.distinct == 4);
  CHECK(c.duplicates == 1);
  CHECK(c.unreadable == 0);
  CHECK(interval.count() == 4);
  CHECK(interval.min() >= 5'000'000);

  // The next interval starts empty.
  LatencyHistogram next;
  c = sink.collect_interval(next);
  CHECK(c.requests == 0);
  CHECK(c.distinct == 0);
  CHECK(next.count() == 0);

  LatencyHistogram step0;
  LatencyHistogram step1;
  LatencyHistogram step7;
  CHECK(sink.step_result(0, step0) == 2);
  CHECK(sink.step_result(1, step1) == 2);  // seqs 2 and 100
  CHECK(sink.step_result(7, step7) == 0);
  CHECK(step0.count() == 2);
  CHECK(step1.count() == 2);
  CHECK(step7.count() == 0);

  // A further interval after stop(): the data is read without the sink thread.
  a = client.send("POST", "/hook", webhook({marker(3, intended)}));
  CHECK(a.status == 200);
  sink.stop();
  sink.stop();  // idempotent
  LatencyHistogram all;
  c = sink.totals(all);
  CHECK(c.requests == 3);
  CHECK(c.distinct == 5);
  CHECK(c.duplicates == 1);
  CHECK(all.count() == 5);
  LatencyHistogram last;
  c = sink.collect_interval(last);
  CHECK(c.requests == 1);
  CHECK(c.distinct == 1);
  CHECK(last.count() == 1);
  // The port is closed.
  CHECK(client.send("POST", "/hook", "{}").status == 0);
}

TEST_CASE("bench: embedded sink answers PagerDuty, Slack, bad bodies and other methods") {
  EmbeddedSink sink(SinkOptions{});
  auto port = sink.start();
  REQUIRE(port.ok());
  Client client(*port);
  const TimePoint intended = alertgate::now();

  // PagerDuty: 202 with the event's dedup_key; the marker quoted twice counts once.
  const std::string m10 = marker(10, intended);
  auto a = client.send("POST", "/v2/enqueue",
                       R"({"routing_key":"r","event_action":"trigger","dedup_key":"k\"1",)"
                       R"("payload":{"summary":")" +
                           m10 +
                           R"(","custom_details":{)"
                           R"("alertgate_bench":")" +
                           m10 + R"("}}})");
  CHECK(a.status == 202);
  CHECK(a.body == R"({"status":"success","message":"Event processed","dedup_key":"k\"1"})");
  a = client.send("POST", "/pd/v2/enqueue", R"({"event_action":"trigger"})");
  CHECK(a.status == 202);
  CHECK(a.body == R"({"status":"success","message":"Event processed","dedup_key":""})");

  // Slack: "ok"; a bad marker in the text is counted but the body is still answered.
  a = client.send("POST", "/services/T000/B000/XXXX",
                  R"({"text":")" + marker(11, intended) + R"( and agb1.12."})");
  CHECK(a.status == 200);
  CHECK(a.body == "ok");

  // Not JSON: 400, unreadable. A webhook alert whose marker is broken: 200, unreadable.
  a = client.send("POST", "/hook", "this is not JSON");
  CHECK(a.status == 400);
  a = client.send("POST", "/hook", R"({"alerts":[{"annotations":{"x":1}}])");  // truncated
  CHECK(a.status == 400);
  a = client.send("POST", "/hook", webhook({"agb1.13"}));
  CHECK(a.status == 200);

  // Only POST: 405, not a request of the run.
  a = client.send("GET", "/hook");
  CHECK(a.status == 405);
  a = client.send("PUT", "/hook", "{}");
  CHECK(a.status == 405);
  a = client.send("HEAD", "/hook");
  CHECK(a.status == 405);
  CHECK(a.body.empty());
  // The connection is still in step after the HEAD answer without a body.
  a = client.send("POST", "/hook", "{}");
  CHECK(a.status == 200);
  CHECK(a.new_connections == 0);

  // HTTP/1.0 without keep-alive: answered, then the sink closes (blocking_http reads to EOF).
  CHECK(testing::blocking_http(*port, "POST", "/hook", webhook({marker(14, intended)})).empty());

  LatencyHistogram h;
  const SinkCounts c = sink.totals(h);
  CHECK(c.requests == 8);  // GET, PUT and HEAD are not requests of the run
  CHECK(c.distinct == 3);  // 10, 11, 14
  CHECK(c.duplicates == 0);
  CHECK(c.unreadable == 4);  // agb1.12., two non-JSON bodies, agb1.13
  CHECK(h.count() == 3);
}

TEST_CASE("bench: embedded sink reads large bodies and rejects bad addresses") {
  SinkOptions options;
  options.steps = 1;
  EmbeddedSink sink(options);
  auto port = sink.start();
  REQUIRE(port.ok());
  CHECK_FALSE(sink.start().ok());  // twice

  // 2,000 alerts in one body, then a smaller body on the same connection.
  const TimePoint intended = alertgate::now();
  std::vector<std::string> markers;
  for (std::uint64_t seq = 0; seq < 2000; ++seq) markers.push_back(marker(seq, intended));
  Client client(*port);
  CHECK(client.send("POST", "/hook", webhook(markers)).status == 200);
  markers.resize(10);
  CHECK(client.send("POST", "/hook", webhook(markers)).status == 200);
  LatencyHistogram whole;
  CHECK(sink.step_result(0, whole) == 2000);  // one step: the whole run
  CHECK(whole.count() == 2000);
  LatencyHistogram h;
  const SinkCounts c = sink.totals(h);
  CHECK(c.distinct == 2000);
  CHECK(c.duplicates == 10);

  SinkOptions taken;
  taken.listen = "127.0.0.1:" + std::to_string(*port);
  EmbeddedSink second(taken);
  const auto bound = second.start();
  REQUIRE_FALSE(bound.ok());
  CHECK(bound.error().message.find("cannot listen on 127.0.0.1:") != std::string::npos);
  for (const char* bad : {"127.0.0.1", "127.0.0.1:70000", "example.com:80", "127.0.0.1:x"}) {
    SinkOptions o;
    o.listen = bad;
    EmbeddedSink s(o);
    CHECK_FALSE(s.start().ok());
  }
  SinkOptions v6;
  v6.listen = "[::1]:0";
  EmbeddedSink six(v6);
  (void)six.start();  // may fail on a host without IPv6; must not crash either way
}

TEST_CASE("bench: embedded sink destructor stops a running sink") {
  auto sink = std::make_unique<EmbeddedSink>(SinkOptions{});
  auto port = sink->start();
  REQUIRE(port.ok());
  Client client(*port);
  CHECK(client.send("POST", "/hook", webhook({marker(1, alertgate::now())})).status == 200);
  sink.reset();  // no stop(): a connection is still open
  CHECK(client.send("POST", "/hook", "{}").status == 0);
}

TEST_CASE("bench: embedded sink counts 8 concurrent connections x 200 posts") {
  constexpr std::uint64_t kThreads = 8;
  constexpr std::uint64_t kPosts = 200;
  SinkOptions options;
  options.expected_alerts = kThreads * kPosts;
  EmbeddedSink sink(options);
  auto port = sink.start();
  REQUIRE(port.ok());
  std::vector<std::uint64_t> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (std::uint64_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Client client(*port);
      for (std::uint64_t i = 0; i < kPosts; ++i) {
        const auto a =
            client.send("POST", "/hook", webhook({marker(t * kPosts + i, alertgate::now())}));
        if (a.status != 200) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == std::vector<std::uint64_t>(kThreads, 0));
  LatencyHistogram h;
  const SinkCounts c = sink.totals(h);
  CHECK(c.requests == kThreads * kPosts);
  CHECK(c.distinct == kThreads * kPosts);
  CHECK(c.duplicates == 0);
  CHECK(c.unreadable == 0);
  CHECK(h.count() == kThreads * kPosts);
}

}  // namespace
}  // namespace alertgate::bench

namespace alertgate::bench {

TEST_CASE("bench: embedded sink finds the marker of a PagerDuty-ingested alert") {
  // alertgate turns a PagerDuty event's custom_details into annotations.custom_details
  // (JSON text); the webhook then carries the marker inside that string.
  EmbeddedSink sink(SinkOptions{});
  auto port = sink.start();
  REQUIRE(port.ok());
  Client client(*port);
  const TimePoint intended = alertgate::now() - std::chrono::milliseconds(5);
  std::string body = R"({"version":"4","alerts":[{"annotations":{"summary":"s",)";
  body += R"("custom_details":"{\"alertgate_bench\":\")" + marker(7, intended) + R"(\"}"}},)";
  body += R"({"annotations":{"summary":"no marker"}}]})";
  CHECK(client.send("POST", "/hook", body).status == 200);
  LatencyHistogram h;
  const SinkCounts c = sink.totals(h);
  CHECK(c.distinct == 1);
  CHECK(c.unreadable == 0);
  CHECK(h.count() == 1);
  CHECK(h.min() >= 5'000'000);
}

}  // namespace alertgate::bench
