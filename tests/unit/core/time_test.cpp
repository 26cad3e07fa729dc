#include "alertgate/time.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using namespace alertgate;
using namespace std::chrono;

namespace {

TimePoint at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0,
             std::int64_t ns = 0) {
  return TimePoint(sys_days{year{y} / month{m} / day{d}}) + hours{hh} + minutes{mm} + seconds{ss} +
         nanoseconds{ns};
}

TimePoint parse_ok(std::string_view text) {
  const ParsedTime p = parse_rfc3339(text);
  INFO(text);
  REQUIRE(p.status == TimeParse::ok);
  return p.value;
}

TimeParse status(std::string_view text) { return parse_rfc3339(text).status; }

}  // namespace

TEST_CASE("time: parses UTC RFC 3339") {
  CHECK(parse_ok("2026-08-20T10:00:00Z") == at(2026, 8, 20, 10));
  CHECK(parse_ok("2026-08-20t10:00:00z") == at(2026, 8, 20, 10));
  CHECK(parse_ok("1970-01-01T00:00:01Z") == at(1970, 1, 1, 0, 0, 1));
  CHECK(parse_ok("1969-12-31T23:59:59Z") == at(1969, 12, 31, 23, 59, 59));
  CHECK(parse_ok("2024-02-29T23:59:59Z") == at(2024, 2, 29, 23, 59, 59));
  CHECK(parse_ok("2000-02-29T00:00:00Z") == at(2000, 2, 29));
}

TEST_CASE("time: fractional seconds up to nanoseconds") {
  CHECK(parse_ok("2026-08-20T10:00:00.5Z") == at(2026, 8, 20, 10, 0, 0, 500'000'000));
  CHECK(parse_ok("2026-08-20T10:00:00.123Z") == at(2026, 8, 20, 10, 0, 0, 123'000'000));
  CHECK(parse_ok("2026-08-20T10:00:00.123456Z") == at(2026, 8, 20, 10, 0, 0, 123'456'000));
  CHECK(parse_ok("2026-08-20T10:00:00.123456789Z") == at(2026, 8, 20, 10, 0, 0, 123'456'789));
  CHECK(parse_ok("2026-08-20T10:00:00.000000001Z") == at(2026, 8, 20, 10, 0, 0, 1));
  CHECK(status("2026-08-20T10:00:00.1234567891Z") == TimeParse::invalid);  // 10 digits
  CHECK(status("2026-08-20T10:00:00.Z") == TimeParse::invalid);
}

TEST_CASE("time: offsets") {
  CHECK(parse_ok("2026-08-20T12:00:00+02:00") == at(2026, 8, 20, 10));
  CHECK(parse_ok("2026-08-20T05:30:00-04:30") == at(2026, 8, 20, 10));
  CHECK(parse_ok("2026-08-20T10:00:00+00:00") == at(2026, 8, 20, 10));
  CHECK(parse_ok("2026-08-20T10:00:00-00:00") == at(2026, 8, 20, 10));
  CHECK(parse_ok("2026-01-01T00:30:00+01:00") == at(2025, 12, 31, 23, 30));
  CHECK(parse_ok("2026-08-20T12:00:00.25+02:00") == at(2026, 8, 20, 10, 0, 0, 250'000'000));
  CHECK(parse_ok("2026-08-20T10:00:00+23:59") == at(2026, 8, 19, 10, 1));
  CHECK(status("2026-08-20T10:00:00+24:00") == TimeParse::invalid);
  CHECK(status("2026-08-20T10:00:00+02:60") == TimeParse::invalid);
  CHECK(status("2026-08-20T10:00:00+0200") == TimeParse::invalid);
  CHECK(status("2026-08-20T10:00:00+02") == TimeParse::invalid);
  CHECK(status("2026-08-20T10:00:00+02:00Z") == TimeParse::invalid);
}

TEST_CASE("time: Go zero time is unset") {
  CHECK(status("0001-01-01T00:00:00Z") == TimeParse::unset);
  CHECK(status("0001-01-01T00:00:00.000Z") == TimeParse::unset);
  CHECK(status("0001-01-01T01:00:00+01:00") == TimeParse::unset);
  CHECK(parse_rfc3339("0001-01-01T00:00:00Z").value == TimePoint{});
  CHECK(status("0001-01-01T00:00:00.000000001Z") == TimeParse::out_of_range);
  CHECK(status("0001-01-01T00:00:00+01:00") == TimeParse::out_of_range);
}

TEST_CASE("time: out of range years") {
  CHECK(status("1677-12-31T23:59:59Z") == TimeParse::out_of_range);
  CHECK(status("2263-01-01T00:00:00Z") == TimeParse::out_of_range);
  CHECK(status("0000-01-01T00:00:00Z") == TimeParse::out_of_range);
  CHECK(status("9999-12-31T23:59:59Z") == TimeParse::out_of_range);
  // 2262 is allowed as a year, but int64 nanoseconds end on 2262-04-11T23:47:16.854775807Z.
  CHECK(status("2262-04-11T23:47:16.854775807Z") == TimeParse::ok);
  CHECK(status("2262-04-11T23:47:16.854775808Z") == TimeParse::out_of_range);
  CHECK(status("2262-12-31T00:00:00Z") == TimeParse::out_of_range);
  CHECK(status("1678-01-01T00:00:00Z") == TimeParse::ok);
  CHECK(status("2262-01-01T00:00:00Z") == TimeParse::ok);
}

TEST_CASE("time: invalid forms") {
  for (const char* text : {
           "",
           "2026-08-20",
           "2026-08-20T10:00:00",   // missing zone
           "2026-08-20T10:00Z",     // missing seconds
           "2026-08-20 10:00:00Z",  // space separator
           "2026-02-30T10:00:00Z",  // Feb 30
           "2025-02-29T10:00:00Z",  // not a leap year
           "1900-02-29T10:00:00Z",  // not a leap year either
           "2026-04-31T10:00:00Z",
           "2026-13-01T10:00:00Z",
           "2026-00-01T10:00:00Z",
           "2026-08-00T10:00:00Z",
           "2026-08-20T24:00:00Z",  // hour 24
           "2026-08-20T10:60:00Z",
           "2026-08-20T10:00:60Z",  // no leap seconds, as Go
           "2026-08-20T10:00:00ZZ",
           "2026-08-20T10:00:00Z ",
           " 2026-08-20T10:00:00Z",
           "2026/08/20T10:00:00Z",
           "20260820T100000Z",
           "+2026-08-20T10:00:00Z",
           "2026-8-20T10:00:00Z",
           "2026-08-20T10:00:00.12a4Z",
           "2026-08-20T10:00:00,5Z",
           "abcd-ef-ghTij:kl:mnZ",
           "2026-08-20T10:00:00UTC",
       }) {
    INFO(text);
    CHECK(status(text) == TimeParse::invalid);
  }
}

TEST_CASE("time: formats like Go RFC3339Nano") {
  CHECK(format_rfc3339(at(2026, 8, 20, 10)) == "2026-08-20T10:00:00Z");
  CHECK(format_rfc3339(at(2026, 8, 20, 10, 0, 0, 500'000'000)) == "2026-08-20T10:00:00.5Z");
  CHECK(format_rfc3339(at(2026, 8, 20, 10, 0, 0, 123'000'000)) == "2026-08-20T10:00:00.123Z");
  CHECK(format_rfc3339(at(2026, 8, 20, 10, 0, 0, 120'000)) == "2026-08-20T10:00:00.00012Z");
  CHECK(format_rfc3339(at(2026, 8, 20, 10, 0, 0, 1)) == "2026-08-20T10:00:00.000000001Z");
  CHECK(format_rfc3339(at(1999, 12, 31, 23, 59, 59, 999'999'999)) ==
        "1999-12-31T23:59:59.999999999Z");
  CHECK(format_rfc3339(at(1969, 12, 31, 23, 59, 59, 999'999'999)) ==
        "1969-12-31T23:59:59.999999999Z");
  CHECK(format_rfc3339(TimePoint{}) == "0001-01-01T00:00:00Z");
  CHECK(format_rfc3339(TimePoint::max()) == "2262-04-11T23:47:16.854775807Z");
  CHECK(format_rfc3339(TimePoint::min()) == "1677-09-21T00:12:43.145224192Z");

  std::string out = "at ";
  append_rfc3339(out, at(2024, 2, 29, 1, 2, 3));
  CHECK(out == "at 2024-02-29T01:02:03Z");
}

TEST_CASE("time: round trips") {
  for (const char* text :
       {"2026-08-20T10:00:00Z", "2026-08-20T10:00:00.5Z", "2026-08-20T10:00:00.123456789Z",
        "1678-01-01T00:00:00Z", "2262-04-11T23:47:16.854775807Z", "1970-01-01T00:00:00.001Z",
        "1900-03-01T00:00:00.01Z", "2096-02-29T12:00:00Z"}) {
    INFO(text);
    CHECK(format_rfc3339(parse_ok(text)) == text);
  }
  // Every day across several years, including leap days and century boundaries.
  for (TimePoint t = at(1899, 12, 25, 7, 8, 9); t < at(1901, 1, 5); t += hours{24}) {
    CHECK(parse_ok(format_rfc3339(t)) == t);
  }
  for (TimePoint t = at(2099, 12, 25, 23, 59, 59, 7); t < at(2101, 1, 5); t += hours{24}) {
    CHECK(parse_ok(format_rfc3339(t)) == t);
  }
  const TimePoint n = alertgate::now();
  CHECK(parse_ok(format_rfc3339(n)) == n);
}
