#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>

#include "alertgate/metrics.hpp"

using namespace alertgate;
using namespace std::chrono_literals;

TEST_CASE("metrics: per-reactor cells are summed at render", "[obs]") {
  Metrics m(2, {"/api/v2/alerts", "other"}, 2, "1.2.3");
  m.add_tenant(0, "t-1");
  m.add_tenant(1, "t-2");
  m.reactor(0).tenant(0).received[0].add(3);
  m.reactor(1).tenant(0).received[0].add(4);
  m.reactor(1).tenant(1).rejected[static_cast<std::size_t>(RejectReason::invalid)].add(2);
  m.reactor(0).http_request(0, 200, 300us);
  m.reactor(1).http_request(0, 400, 2ms);
  m.reactor(1).http_request(1, 404, 1us);
  m.set_queue_depth_source([](std::size_t t) { return t == 1 ? 17u : 0u; });
  const std::string text = m.render();
  CHECK_THAT(text,
             Catch::Contains(
                 "alertgate_alerts_received_total{format=\"alertmanager_v2\",tenant=\"t-1\"} 7"));
  CHECK_THAT(text, Catch::Contains(
                       "alertgate_alerts_rejected_total{reason=\"invalid\",tenant=\"t-2\"} 2"));
  CHECK_THAT(text, Catch::Contains(
                       "alertgate_http_requests_total{code=\"200\",path=\"/api/v2/alerts\"} 1"));
  CHECK_THAT(text, Catch::Contains("alertgate_http_requests_total{code=\"404\",path=\"other\"} 1"));
  CHECK_THAT(text, Catch::Contains("alertgate_tenant_queue_depth{tenant=\"t-2\"} 17"));
  CHECK_THAT(text, Catch::Contains("alertgate_build_info{version=\"1.2.3\"} 1"));
  // Histogram: 300us falls in le=0.0005, 2ms in le=0.0025; buckets are cumulative.
  CHECK_THAT(text, Catch::Contains("alertgate_http_request_duration_seconds_bucket{path=\"/api/v2/"
                                   "alerts\",le=\"0.00025\"} 0"));
  CHECK_THAT(text, Catch::Contains("alertgate_http_request_duration_seconds_bucket{path=\"/api/v2/"
                                   "alerts\",le=\"0.0005\"} 1"));
  CHECK_THAT(
      text,
      Catch::Contains(
          "alertgate_http_request_duration_seconds_bucket{path=\"/api/v2/alerts\",le=\"+Inf\"} 2"));
  CHECK_THAT(text, Catch::Contains(
                       "alertgate_http_request_duration_seconds_count{path=\"/api/v2/alerts\"} 2"));
}

TEST_CASE("metrics: label values are escaped", "[obs]") {
  Metrics m(1, {"/a\"b\\c"}, 1, "v");
  m.reactor(0).http_request(0, 200, 1us);
  CHECK_THAT(m.render(), Catch::Contains("path=\"/a\\\"b\\\\c\""));
}

TEST_CASE("metrics: a scrape during writes sees monotonic counters", "[obs]") {
  Metrics m(1, {"/x"}, 1, "v");
  m.add_tenant(0, "t");
  constexpr std::uint64_t kWrites = 200'000;
  const std::string series = "alertgate_alerts_received_total{format=\"native\",tenant=\"t\"} ";
  auto scraped = [&] {
    const std::string text = m.render();
    const auto at = text.find(series);
    REQUIRE(at != std::string::npos);
    return std::stod(text.substr(at + series.size()));
  };
  std::atomic<bool> started{false};
  std::thread writer([&] {
    started = true;
    for (std::uint64_t i = 0; i < kWrites; ++i) m.reactor(0).tenant(0).received[1].add();
  });
  while (!started) std::this_thread::yield();
  double last = 0;
  for (int i = 0; i < 50; ++i) {
    const double now = scraped();
    CHECK(now >= last);
    last = now;
  }
  writer.join();
  CHECK(scraped() == static_cast<double>(kWrites));
}

TEST_CASE("metrics: unknown status codes count as other", "[obs]") {
  Metrics m(0, {"/x"}, 1, "v");
  m.reactor(0).http_request(0, 418, 1us);
  CHECK_THAT(m.render(), Catch::Contains("code=\"other\""));
}
