#include "alertgate/bench/load_generator.hpp"

#include <simdjson.h>
#include <catch2/catch.hpp>
#include <thread>

#include "alertgate/bench/bench_marker.hpp"
#include "support/python_server.hpp"

namespace alertgate::bench {
namespace {

using testing::PythonServer;

OpenLoopSchedule schedule_of(double rate, std::chrono::milliseconds duration) {
  auto s = OpenLoopSchedule::constant(now() + std::chrono::milliseconds(50), rate, duration);
  REQUIRE(s.ok());
  return std::move(s).value();
}

LoadOptions options_for(const PythonServer& server, unsigned threads, unsigned connections) {
  auto url = parse_target_url(server.url("/api/v2/alerts"));
  REQUIRE(url.ok());
  LoadOptions o;
  o.target = *url;
  o.threads = threads;
  o.connections = connections;
  o.timeout = std::chrono::milliseconds(200);
  o.tenants = {{"Bearer token-a", "a"}, {"Bearer token-b", "b"}};
  return o;
}

}  // namespace

TEST_CASE("bench: target URLs") {
  auto u = parse_target_url("http://127.0.0.1:9093/api/v2/alerts?x=1");
  REQUIRE(u.ok());
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 9093);
  CHECK(u->path == "/api/v2/alerts?x=1");
  CHECK(u->host_header == "127.0.0.1:9093");
  auto v6 = parse_target_url("http://[::1]:8080");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->path == "/");
  auto plain = parse_target_url("http://localhost");
  REQUIRE(plain.ok());
  CHECK(plain->port == 80);
  CHECK_FALSE(parse_target_url("https://x").ok());
  CHECK_FALSE(parse_target_url("http://:80/").ok());
  CHECK_FALSE(parse_target_url("http://h:0/").ok());
  CHECK_FALSE(parse_target_url("http://h:99999/").ok());
  CHECK_FALSE(parse_target_url("http://h:8a/").ok());
}

TEST_CASE("bench: every scheduled request is sent once and every answer counted") {
  // 5 x 500, a reset and an answer slower than the 200 ms timeout, then 200s.
  PythonServer server(
      "sink_server.py",
      {"--script", R"([{"status":500},{"status":500},{"status":500},{"status":500},)"
                   R"({"status":500},{"reset":true},{"status":200,"delay_ms":600}])"});
  const auto schedule = schedule_of(200, std::chrono::milliseconds(500));  // 100 requests
  REQUIRE(schedule.total() == 100);
  auto bodies = BodyGenerator::make({.batch = 3});
  REQUIRE(bodies.ok());
  LoadGenerator load(options_for(server, 2, 4), schedule, *bodies);

  std::thread runner([&] { REQUIRE(load.run().ok()); });
  LatencyHistogram during;
  const LoadCounts early = load.collect_interval(during);  // while running: must not block
  runner.join();
  LatencyHistogram rest;
  const LoadCounts late = load.collect_interval(rest);
  LatencyHistogram all;
  const LoadCounts total = load.totals(all);

  CHECK(total.requests_sent == 100);
  CHECK(total.requests_answered == 100);
  CHECK(total.alerts_sent == 300);
  CHECK(total.status[500] == 5);
  CHECK(total.status[0] == 2);  // the reset and the timeout
  CHECK(total.status[200] == 93);
  CHECK(total.errors == 7);
  CHECK(total.alerts_acked == 93 * 3);
  REQUIRE(total.per_tenant_acked.size() == 2);
  CHECK(total.per_tenant_acked[0] + total.per_tenant_acked[1] == 93 * 3);
  CHECK(total.due == 100);
  CHECK(all.count() == 100);
  CHECK(early.requests_answered + late.requests_answered == 100);
  CHECK(during.count() + rest.count() == 100);

  // What arrived: request i (marker seq / 3) went to tenant i % 2, and each seq in one
  // request (twice in it: annotation and summary).
  const std::string recorded = testing::blocking_http(server.port(), "GET", "/_requests");
  simdjson::dom::parser parser;
  simdjson::dom::element requests = parser.parse(recorded);
  std::vector<int> seen(300, 0);
  std::size_t n = 0;
  for (simdjson::dom::element r : requests.get_array()) {
    ++n;
    CHECK(std::string_view(r["path"]) == "/api/v2/alerts");
    std::string_view auth;
    for (simdjson::dom::element h : r["headers"].get_array()) {
      if (std::string_view(h.at(0)) == "Authorization") auth = h.at(1);
    }
    const std::string_view body = r["body"];
    std::size_t markers = 0;
    scan_markers(body, [&](const Marker& m) {
      REQUIRE(m.seq < 300);
      ++seen[m.seq];
      ++markers;
      const std::uint64_t request = m.seq / 3;
      CHECK(auth == (request % 2 == 0 ? "Bearer token-a" : "Bearer token-b"));
      CHECK(m.intended == schedule.intended(request));
    });
    CHECK(markers == 6);  // each alert: the annotation and its summary
  }
  CHECK(n == 100);
  for (int count : seen) CHECK(count == 2);
}

TEST_CASE("bench: stop() ends a run early") {
  PythonServer server("sink_server.py", {});
  const auto schedule = schedule_of(100, std::chrono::seconds(60));
  auto bodies = BodyGenerator::make({});
  REQUIRE(bodies.ok());
  LoadGenerator load(options_for(server, 1, 2), schedule, *bodies);
  std::thread runner([&] { REQUIRE(load.run().ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let some requests go
  load.stop();
  runner.join();
  LatencyHistogram h;
  const LoadCounts c = load.totals(h);
  CHECK(c.requests_sent < 6000);
  CHECK(c.requests_answered <= c.requests_sent);
}

TEST_CASE("bench: an unreachable target is answered with status 0, not a hang") {
  // A port nobody listens on: bind, read the port, close.
  int port = 0;
  {
    PythonServer gone("sink_server.py", {});
    port = gone.port();
  }
  auto url = parse_target_url("http://127.0.0.1:" + std::to_string(port) + "/");
  REQUIRE(url.ok());
  LoadOptions o;
  o.target = *url;
  o.connections = 2;
  o.timeout = std::chrono::milliseconds(200);
  const auto schedule = schedule_of(100, std::chrono::milliseconds(100));
  auto bodies = BodyGenerator::make({});
  REQUIRE(bodies.ok());
  LoadGenerator load(o, schedule, *bodies);
  REQUIRE(load.run().ok());
  LatencyHistogram h;
  const LoadCounts c = load.totals(h);
  CHECK(c.requests_sent == schedule.total());
  CHECK(c.status[0] == schedule.total());
  CHECK(c.alerts_acked == 0);
}

}  // namespace alertgate::bench
