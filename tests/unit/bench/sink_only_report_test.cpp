#include "alertgate/bench/sink_only_report.hpp"

#include <simdjson.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

namespace alertgate::bench {
namespace {

using namespace std::chrono_literals;

const TimePoint start = TimePoint{} + std::chrono::hours(24 * 365 * 50);

TEST_CASE("bench: sink-only report rates from the sink's start and first to last") {
  SinkProgress p;
  p.counts = {.requests = 300, .distinct = 30'000, .duplicates = 12, .unreadable = 1};
  p.first_delivery = start + 2s;
  p.last_delivery = start + 12s;
  const auto r = SinkOnlyReport::of(30'000, WaitEnd::expected, p, start, 12.02);
  CHECK(r.seconds_start_to_last == Approx(12.0));
  CHECK(r.seconds_first_to_last == Approx(10.0));
  REQUIRE(r.rate_from_start);
  CHECK(*r.rate_from_start == Approx(2500.0));
  REQUIRE(r.rate_first_to_last);
  CHECK(*r.rate_first_to_last == Approx(3000.0));
  CHECK(to_json(r) ==
        R"({"mode":"sink-only","expected":30000,"stopped_by":"expected","distinct":30000,)"
        R"("duplicates":12,"requests":300,"unreadable":1,"waited_s":12.020000,)"
        R"("seconds_start_to_last":12.000000,"seconds_first_to_last":10.000000,)"
        R"("alerts_per_second_from_start":2500.0,"alerts_per_second_first_to_last":3000.0})");
  CHECK(summary_line(r) ==
        "sink-only: 30000 of 30000 alerts (12 duplicates) in 12.00 s from the sink's start: "
        "2500 alerts/s; 3000 alerts/s first to last delivery; stopped by expected");
}

TEST_CASE("bench: sink-only report without deliveries or with one request has null rates") {
  const auto nothing = SinkOnlyReport::of(100, WaitEnd::timeout, SinkProgress{}, start, 300.0);
  CHECK(nothing.seconds_start_to_last == 0);
  CHECK_FALSE(nothing.rate_from_start);
  CHECK_FALSE(nothing.rate_first_to_last);
  const std::string json = to_json(nothing);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  CHECK(doc["stopped_by"].get_string().value() == "timeout");
  CHECK(doc["distinct"].get_uint64().value() == 0);
  CHECK(doc["alerts_per_second_from_start"].is_null());
  CHECK(doc["alerts_per_second_first_to_last"].is_null());

  SinkProgress one;
  one.counts = {.requests = 1, .distinct = 100};
  one.first_delivery = one.last_delivery = start + 1500ms;
  const auto r = SinkOnlyReport::of(100, WaitEnd::expected, one, start, 1.52);
  REQUIRE(r.rate_from_start);
  CHECK(*r.rate_from_start == Approx(100 / 1.5));
  CHECK_FALSE(r.rate_first_to_last);  // one request: no span
  CHECK(summary_line(r).find("n/a first to last") != std::string::npos);

  // A clock step backwards between start and arrival: no negative span, no rate.
  SinkProgress stepped;
  stepped.counts = {.requests = 1, .distinct = 1};
  stepped.first_delivery = stepped.last_delivery = start - 1s;
  const auto s = SinkOnlyReport::of(1, WaitEnd::expected, stepped, start, 0.1);
  CHECK(s.seconds_start_to_last == 0);
  CHECK_FALSE(s.rate_from_start);
}

}  // namespace
}  // namespace alertgate::bench
