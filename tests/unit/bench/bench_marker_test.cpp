#include "alertgate/bench/bench_marker.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace alertgate::bench {
namespace {

TimePoint ns(std::int64_t n) { return TimePoint(std::chrono::nanoseconds(n)); }

std::vector<Marker> scan_all(std::string_view text, std::size_t& bad) {
  std::vector<Marker> found;
  bad = scan_markers(text, [&](const Marker& m) { found.push_back(m); });
  return found;
}

TEST_CASE("bench: marker text and round trip") {
  std::string s = "x=";
  append_marker(s, Marker{42, ns(1'764'800'000'123'456'789)});
  CHECK(s == "x=agb1.42.1764800000123456789");

  const Marker extremes[] = {
      {0, ns(1)},
      {std::numeric_limits<std::uint64_t>::max(), ns(std::numeric_limits<std::int64_t>::max())},
      {123456, ns(1'000'000'000)},
  };
  for (const Marker& m : extremes) {
    std::string text;
    append_marker(text, m);
    Marker back;
    REQUIRE(parse_marker(text, back));
    CHECK(back.seq == m.seq);
    CHECK(back.intended == m.intended);
  }
}

TEST_CASE("bench: parse_marker accepts exactly one marker") {
  Marker m{7, ns(9)};
  CHECK_FALSE(parse_marker("", m));
  CHECK_FALSE(parse_marker("agb1.", m));
  CHECK_FALSE(parse_marker("agb1.1", m));
  CHECK_FALSE(parse_marker("agb1.1.", m));
  CHECK_FALSE(parse_marker("agb1..5", m));
  CHECK_FALSE(parse_marker("agb1.1.0", m));   // ns must be > 0
  CHECK_FALSE(parse_marker("agb1.1.5 ", m));  // trailing byte
  CHECK_FALSE(parse_marker(" agb1.1.5", m));  // leading byte
  CHECK_FALSE(parse_marker("agb1.-1.5", m));  // no sign
  CHECK_FALSE(parse_marker("agb1.+1.5", m));
  CHECK_FALSE(parse_marker("agb2.1.5", m));  // other version
  CHECK_FALSE(parse_marker("agb1.1.5.6", m));
  // Unchanged after failures.
  CHECK(m.seq == 7);
  CHECK(m.intended == ns(9));
  CHECK(parse_marker("agb1.0.1", m));
  CHECK(m.seq == 0);
  CHECK(m.intended == ns(1));
}

TEST_CASE("bench: marker numbers are overflow-checked") {
  Marker m;
  // seq: 2^64 - 1 fits, 2^64 does not.
  CHECK(parse_marker("agb1.18446744073709551615.5", m));
  CHECK(m.seq == std::numeric_limits<std::uint64_t>::max());
  CHECK_FALSE(parse_marker("agb1.18446744073709551616.5", m));
  CHECK_FALSE(parse_marker("agb1.99999999999999999999999.5", m));
  // ns: a TimePoint holds signed 64-bit ns.
  CHECK(parse_marker("agb1.1.9223372036854775807", m));
  CHECK(m.intended.time_since_epoch().count() == std::numeric_limits<std::int64_t>::max());
  CHECK_FALSE(parse_marker("agb1.1.9223372036854775808", m));
  CHECK_FALSE(parse_marker("agb1.1.18446744073709551616", m));
  // Leading zeros are digits like any other.
  CHECK(parse_marker("agb1.007.0009", m));
  CHECK(m.seq == 7);
  CHECK(m.intended == ns(9));
}

TEST_CASE("bench: scan_markers finds every marker in a JSON text") {
  std::string body = R"({"alerts":[{"annotations":{"alertgate_bench":")";
  append_marker(body, {1, ns(1000)});
  body += R"("}},{"annotations":{"alertgate_bench":")";
  append_marker(body, {2, ns(2000)});
  body += R"("}}],"commonAnnotations":{"alertgate_bench":")";
  append_marker(body, {1, ns(1000)});
  body += R"("},"text":"agb1.x and agb1.3. and agb1.18446744073709551616.1 and agb1.4.0"})";
  std::size_t bad = 0;
  const auto found = scan_all(body, bad);
  REQUIRE(found.size() == 3);
  CHECK(found[0].seq == 1);
  CHECK(found[0].intended == ns(1000));
  CHECK(found[1].seq == 2);
  CHECK(found[1].intended == ns(2000));
  CHECK(found[2].seq == 1);
  CHECK(bad == 4);  // no digits, no ns digits, seq overflow, ns zero
}

TEST_CASE("bench: scan_markers at the edges of the text") {
  std::size_t bad = 0;
  // A marker that ends the text (no closing quote after it).
  auto found = scan_all("agb1.5.77", bad);
  REQUIRE(found.size() == 1);
  CHECK(found[0].seq == 5);
  CHECK(found[0].intended == ns(77));
  CHECK(bad == 0);
  // A prefix that ends the text, or is cut after the seq.
  found = scan_all("text agb1.", bad);
  CHECK(found.empty());
  CHECK(bad == 1);
  found = scan_all("agb1.5.77agb1.6", bad);
  REQUIRE(found.size() == 1);
  CHECK(bad == 1);
  // Adjacent markers separated only by the next prefix.
  found = scan_all("agb1.5.77agb1.6.88", bad);
  REQUIRE(found.size() == 2);
  CHECK(found[1].seq == 6);
  CHECK(found[1].intended == ns(88));
  CHECK(bad == 0);
  // A bad prefix followed directly by a good marker: the scan resumes after the prefix.
  found = scan_all("agb1.agb1.9.99", bad);
  REQUIRE(found.size() == 1);
  CHECK(found[0].seq == 9);
  CHECK(bad == 1);
  // Nothing at all.
  found = scan_all("", bad);
  CHECK(found.empty());
  CHECK(bad == 0);
  found = scan_all("agb agb1 agb2.1.2", bad);
  CHECK(found.empty());
  CHECK(bad == 0);
}

}  // namespace
}  // namespace alertgate::bench
