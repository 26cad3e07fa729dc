#include "alertgate/bench/bench_report.hpp"

#include <simdjson.h>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

namespace alertgate::bench {
namespace {

BenchReport fixed_report() {
  BenchReport r;
  r.target = "http://127.0.0.1:9093/api/v2/alerts";
  r.duration_s = 60.0004;
  r.offered_rate = 45000;
  r.achieved_rate = 44999.96;
  r.requests_sent = 2'700'000;
  r.alerts_sent = 2'700'000;
  r.alerts_acked = 2'699'990;
  r.alerts_delivered = 2'699'990;
  r.status_counts = {{202, 2'699'990}, {429, 7}, {0, 3}};
  r.ack_latency = {.count = 2'699'990,
                   .p50 = 410'000,
                   .p90 = 800'500,
                   .p95 = 1'000'000,
                   .p99 = 2'345'678,
                   .p999 = 9'999'999,
                   .max = 25'000'000,
                   .mean = 512'345.6};
  r.end_to_end_latency = LatencySummary{.count = 2'699'990,
                                        .p50 = 900'000,
                                        .p90 = 1'500'000,
                                        .p95 = 2'000'000,
                                        .p99 = 7'000'000,
                                        .p999 = 12'000'000,
                                        .max = 40'000'000,
                                        .mean = 1e6};
  r.per_tenant_acked = {26'999, 27'001, 27'000};
  r.target_usage = TargetUsage{143.27, 123'456'789};
  return r;
}

}  // namespace

TEST_CASE("bench: report JSON is exactly the documented shape") {
  const std::string want =
      R"({"target":"http://127.0.0.1:9093/api/v2/alerts","duration_s":60.000,)"
      R"("offered_rate":45000.0,"achieved_rate":45000.0,"requests_sent":2700000,)"
      R"("alerts_sent":2700000,"alerts_acked":2699990,"alerts_delivered":2699990,)"
      R"("status_counts":{"no_answer":3,"202":2699990,"429":7},)"
      R"("ack_latency_ms":{"count":2699990,"p50":0.410,"p90":0.801,"p95":1.000,)"
      R"("p99":2.346,"p99_9":10.000,"max":25.000,"mean":0.512},)"
      R"("end_to_end_latency_ms":{"count":2699990,"p50":0.900,"p90":1.500,"p95":2.000,)"
      R"("p99":7.000,"p99_9":12.000,"max":40.000,"mean":1.000},)"
      R"("tenants":{"count":3,"acked_min":26999,"acked_max":27001},)"
      R"("target_process":{"cpu_percent":143.3,"rss_max_bytes":123456789}})";
  CHECK(to_json(fixed_report()) == want);
}

TEST_CASE("bench: report JSON parses, with nulls for what was not measured") {
  BenchReport r = fixed_report();
  r.target = "http://h/\"quoted\"\n\x01";
  r.end_to_end_latency.reset();
  r.target_usage.reset();
  r.per_tenant_acked.clear();
  r.achieved_rate = std::nan("");
  r.duration_s = INFINITY;

  const std::string json = to_json(r);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  CHECK(std::string_view(doc["target"]) == "http://h/\"quoted\"\n\x01");
  CHECK(doc["end_to_end_latency_ms"].is_null());
  CHECK(doc["target_process"].is_null());
  CHECK(doc["achieved_rate"].is_null());
  CHECK(doc["duration_s"].is_null());
  CHECK(std::uint64_t(doc["tenants"]["count"]) == 0);
  CHECK(std::uint64_t(doc["tenants"]["acked_min"]) == 0);
  CHECK(std::uint64_t(doc["status_counts"]["429"]) == 7);
  CHECK(double(doc["ack_latency_ms"]["p99"]) == Approx(2.346));
}

TEST_CASE("bench: report summary takes the percentiles from a histogram") {
  LatencyHistogram h;
  for (std::int64_t ms = 1; ms <= 1000; ++ms) h.record(ms * 1'000'000);
  const auto s = LatencySummary::of(h);
  CHECK(s.count == 1000);
  CHECK(std::abs(s.p50 - 500'000'000) <= 500'000);  // within the histogram's 0.1 %
  CHECK(std::abs(s.p99 - 990'000'000) <= 990'000);
  CHECK(std::abs(s.p999 - 999'000'000) <= 999'000);
  CHECK(s.max == 1'000'000'000);
  CHECK(s.mean == Approx(500.5e6));

  BenchReport r;
  r.ack_latency = s;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(to_json(r)).get(doc) == simdjson::SUCCESS);
  CHECK(double(doc["ack_latency_ms"]["max"]) == 1000.0);
  CHECK(doc["status_counts"].get_object().size() == 0);
}

}  // namespace alertgate::bench
