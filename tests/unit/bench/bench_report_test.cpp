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

// fixed_report() plus every field the report extensions added.
BenchReport full_report() {
  BenchReport r = fixed_report();
  r.format = "am-v2";
  r.batch = 10;
  r.connections = 64;
  r.tenants = 3;
  r.late_sends = 12;
  r.delivered_duplicates = 2;
  r.sink_unreadable = 1;
  r.kafka_latency = LatencySummary{.count = 5,
                                   .p50 = 3'000'000,
                                   .p90 = 4'000'000,
                                   .p95 = 4'000'000,
                                   .p99 = 5'000'000,
                                   .p999 = 5'000'000,
                                   .max = 5'000'000,
                                   .mean = 3.6e6};
  r.kafka_messages = 5;
  r.timeline = {{.t_s = 1,
                 .offered_rate = 45000,
                 .acked_rate = 44999.94,
                 .delivered_rate = 44000.04,
                 .errors = 3,
                 .ack_p50 = 400'000,
                 .ack_p99 = 2'000'400,
                 .ack_max = 3'000'000,
                 .e2e_p50 = 0,
                 .e2e_p99 = 0,
                 .e2e_max = 0}};
  r.ack_curve = {{0, 100'000}, {99.90234375, 9'999'999}, {100, 25'000'000}};
  r.e2e_curve = {};
  r.slo = Slo{.p99_ns = 10'000'000, .max_error_share = 0.001, .min_achieved_share = 0.99};
  r.ramp = {RampStepResult{.offered_rate = 45000,
                           .achieved_rate = 45000,
                           .requests = 100,
                           .errors = 0,
                           .ack_latency = {.count = 100,
                                           .p50 = 0,
                                           .p90 = 0,
                                           .p95 = 0,
                                           .p99 = 1'000'000,
                                           .p999 = 0,
                                           .max = 2'000'000,
                                           .mean = 0},
                           .end_to_end_latency = std::nullopt,
                           .within_slo = true}};
  r.sustainable_rate = 45000;
  r.plan = CapacityPlan{.planned_rate = 100000,
                        .per_instance_rate = 45000,
                        .headroom = 0.7,
                        .slo_p99_ns = 10'000'000,
                        .instances = 4,
                        .text = "4 instances \"quoted\""};
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
      R"("target_process":{"cpu_percent":143.3,"rss_max_bytes":123456789},)"
      R"("load":{"format":"","batch":1,"connections":0,"tenants":1},)"
      R"("late_sends":0,"delivered_duplicates":0,"sink_unreadable":0,"sink_requests":0,)"
      R"("kafka_latency_ms":null,"kafka_messages":0,"timeline":[],"ack_curve":[],)"
      R"("e2e_curve":[],"slo":null,"ramp":[],"sustainable_rate":null,"plan":null})";
  CHECK(to_json(fixed_report()) == want);
}

TEST_CASE("bench: report JSON with timeline, curves, SLO, ramp and plan is exact") {
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
      R"("target_process":{"cpu_percent":143.3,"rss_max_bytes":123456789},)"
      R"("load":{"format":"am-v2","batch":10,"connections":64,"tenants":3},)"
      R"("late_sends":12,"delivered_duplicates":2,"sink_unreadable":1,"sink_requests":0,)"
      R"("kafka_latency_ms":{"count":5,"p50":3.000,"p90":4.000,"p95":4.000,"p99":5.000,)"
      R"("p99_9":5.000,"max":5.000,"mean":3.600},"kafka_messages":5,)"
      R"("timeline":[{"t_s":1.000,"offered_rate":45000.0,"acked_rate":44999.9,)"
      R"("delivered_rate":44000.0,"errors":3,"ack_p50_ms":0.400,"ack_p99_ms":2.000,)"
      R"("ack_max_ms":3.000,"e2e_p50_ms":0.000,"e2e_p99_ms":0.000,"e2e_max_ms":0.000}],)"
      R"("ack_curve":[[0,0.100],[99.90234375,10.000],[100,25.000]],"e2e_curve":[],)"
      R"("slo":{"p99_ms":10.000,"max_error_share":0.001,"min_achieved_share":0.99},)"
      R"("ramp":[{"offered_rate":45000.0,"achieved_rate":45000.0,"requests":100,"errors":0,)"
      R"("ack_latency_ms":{"count":100,"p50":0.000,"p90":0.000,"p95":0.000,"p99":1.000,)"
      R"("p99_9":0.000,"max":2.000,"mean":0.000},"end_to_end_latency_ms":null,)"
      R"("within_slo":true}],"sustainable_rate":45000.0,)"
      R"("plan":{"planned_rate":100000.0,"per_instance_rate":45000.0,"headroom":0.7,)"
      R"("slo_p99_ms":10.000,"instances":4,"text":"4 instances \"quoted\""}})";
  CHECK(to_json(full_report()) == want);
}

TEST_CASE("bench: report JSON has every documented key, null when not measured") {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string full = to_json(full_report());
  REQUIRE(parser.parse(full).get(doc) == simdjson::SUCCESS);
  for (const char* key : {"target",
                          "duration_s",
                          "offered_rate",
                          "achieved_rate",
                          "requests_sent",
                          "alerts_sent",
                          "alerts_acked",
                          "alerts_delivered",
                          "status_counts",
                          "ack_latency_ms",
                          "end_to_end_latency_ms",
                          "tenants",
                          "target_process",
                          "load",
                          "late_sends",
                          "delivered_duplicates",
                          "sink_unreadable",
                          "sink_requests",
                          "kafka_latency_ms",
                          "kafka_messages",
                          "timeline",
                          "ack_curve",
                          "e2e_curve",
                          "slo",
                          "ramp",
                          "sustainable_rate",
                          "plan"}) {
    INFO(key);
    CHECK(doc[key].error() == simdjson::SUCCESS);
    CHECK(!doc[key].is_null());
  }
  CHECK(std::string_view(doc["load"]["format"]) == "am-v2");
  CHECK(std::uint64_t(doc["timeline"].at(0)["errors"]) == 3);
  CHECK(double(doc["timeline"].at(0)["ack_p99_ms"]) == Approx(2.0));
  CHECK(double(doc["ack_curve"].at(1).at(0)) == 99.90234375);
  CHECK(double(doc["ack_curve"].at(2).at(1)) == 25.0);
  CHECK(double(doc["slo"]["max_error_share"]) == 0.001);
  CHECK(bool(doc["ramp"].at(0)["within_slo"]));
  CHECK(doc["ramp"].at(0)["end_to_end_latency_ms"].is_null());
  CHECK(std::uint64_t(doc["plan"]["instances"]) == 4);
  CHECK(std::string_view(doc["plan"]["text"]) == "4 instances \"quoted\"");

  BenchReport empty;
  empty.slo = Slo{.p99_ns = 1, .max_error_share = NAN, .min_achieved_share = 0.99};
  const std::string bare = to_json(empty);
  REQUIRE(parser.parse(bare).get(doc) == simdjson::SUCCESS);
  for (const char* key : {"end_to_end_latency_ms", "target_process", "kafka_latency_ms",
                          "sustainable_rate", "plan"}) {
    INFO(key);
    CHECK(doc[key].is_null());
  }
  CHECK(doc["slo"]["max_error_share"].is_null());
  CHECK(doc["timeline"].get_array().size() == 0);
  CHECK(doc["ramp"].get_array().size() == 0);
  CHECK(doc["ack_curve"].get_array().size() == 0);
}

TEST_CASE("bench: percentile curve follows HdrHistogram's halving steps up to max") {
  LatencyHistogram h;
  CHECK(percentile_curve(h).empty());
  // 1..1000 ns sit in exact slots, so value_at_percentile(p) is round(10 p).
  for (std::int64_t v = 1; v <= 1000; ++v) h.record(v);

  const auto one = percentile_curve(h, 1);
  // 0, 50, 75, ..., 100 - 100/2^11 (= 99.951: round(999.51) reaches max), then 100.
  REQUIRE(one.size() == 13);
  CHECK(one[0].percentile == 0);
  CHECK(one[0].value == 1);  // the min
  CHECK(one[1].percentile == 50);
  CHECK(one[1].value == 500);
  CHECK(one[2].percentile == 75);
  CHECK(one[3].percentile == 87.5);
  CHECK(one[11].percentile == 100 - 100.0 / 2048);
  CHECK(one[11].value == 1000);
  CHECK(one[12].percentile == 100);
  CHECK(one[12].value == 1000);

  const auto four = percentile_curve(h);
  // 4 points in each of the halvings 0..10, the first of halving 11 reaches max, plus 100.
  REQUIRE(four.size() == 46);
  CHECK(four[1].percentile == 12.5);
  CHECK(four[1].value == 125);
  CHECK(four[4].percentile == 50);
  CHECK(four[5].percentile == 56.25);
  for (std::size_t i = 1; i < four.size(); ++i) {
    CHECK(four[i].percentile > four[i - 1].percentile);
    CHECK(four[i].value >= four[i - 1].value);
  }
  CHECK(four.back().percentile == 100);
  CHECK(four.back().value == h.max());

  // A max that only one value in 10^9 reaches: the curve stops at the 99.9999 cut-off.
  LatencyHistogram tail;
  tail.record(1, 1'000'000'000);
  tail.record(2);
  const auto cut = percentile_curve(tail, 1);
  REQUIRE(cut.size() == 21);  // halvings 0..19 (100 - 100/2^19 = 99.99981), then 100
  CHECK(cut[19].percentile < 99.9999);
  CHECK(cut[19].value == 1);
  CHECK(cut[20].percentile == 100);
  CHECK(cut[20].value == 2);

  LatencyHistogram single;
  single.record(5'000'000, 7);
  const auto flat = percentile_curve(single);
  REQUIRE(flat.size() == 2);
  CHECK(flat[0].value == 5'000'000);
  CHECK(flat[1].percentile == 100);
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
