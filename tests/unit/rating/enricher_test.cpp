#include <catch2/catch.hpp>

#include <set>

#include "alertgate/rating.hpp"

using namespace alertgate;
using namespace std::chrono_literals;

namespace {
Alert make_alert(std::string severity) {
  Alert a;
  a.labels = {{"alertname", "HighCPU"}, {"severity", severity}};
  a.severity_raw = std::move(severity);
  return a;
}
const TimePoint kNow = TimePoint(std::chrono::seconds(1'780'000'000));
}  // namespace

TEST_CASE("alert_id: ULIDs are unique, 26 chars and increasing", "[rating]") {
  AlertIdGenerator gen(42);
  std::set<std::string> seen;
  std::string prev;
  for (int i = 0; i < 10'000; ++i) {
    const auto id = gen.next(kNow);  // same millisecond: monotonic increment
    REQUIRE(id.size() == 26);
    REQUIRE(id > prev);
    prev = id;
    seen.insert(id);
  }
  CHECK(seen.size() == 10'000);
  CHECK(gen.next(kNow + 1ms) > prev);
  CHECK(gen.next(kNow - 1s) > prev);  // a clock step back keeps order
}

TEST_CASE("alert_id: time prefix encodes milliseconds", "[rating]") {
  AlertIdGenerator gen(1);
  // 0 ms → ten zeros; 1 ms → "0000000001".
  CHECK(gen.next(TimePoint(1ms)).substr(0, 10) == "0000000001");
}

TEST_CASE("enricher: first rating pass", "[rating]") {
  Enricher e(RatingSettings{}, 7);
  auto a = make_alert("P1");
  e.enrich(a, "t-1024", kNow, "");
  CHECK(a.tenant_id == "t-1024");
  CHECK(a.severity == Severity::critical);
  CHECK(a.rating == 90);
  CHECK(a.status == AlertStatus::firing);
  CHECK(a.starts_at == kNow);
  CHECK(a.ends_at == kNow + 5min);
  CHECK(a.received_at == kNow);
  CHECK(a.fingerprint == fingerprint(a.labels));
  CHECK(a.alert_id.size() == 26);
  CHECK(valid_traceparent(a.trace));
}

TEST_CASE("enricher: unknown or missing severity defaults to warning", "[rating]") {
  Enricher e(RatingSettings{}, 7);
  auto a = make_alert("bogus");
  e.enrich(a, "t", kNow, "");
  CHECK(a.severity == kDefaultSeverity);
  CHECK(a.rating == 50);
  Alert b;
  b.labels = {{"alertname", "x"}};
  e.enrich(b, "t", kNow, "");
  CHECK(b.severity == Severity::warning);
}

TEST_CASE("enricher: endsAt in the past means resolved", "[rating]") {
  Enricher e(RatingSettings{}, 7);
  auto a = make_alert("info");
  a.ends_at = kNow - 1s;
  e.enrich(a, "t", kNow, "");
  CHECK(a.status == AlertStatus::resolved);
  CHECK(a.rating == 10);
}

TEST_CASE("enricher: dedup key decides the fingerprint", "[rating]") {
  Enricher e(RatingSettings{}, 7);
  auto a = make_alert("error");
  a.dedup_key = "k1";
  e.enrich(a, "t", kNow, "");
  CHECK(a.fingerprint == fingerprint_of_dedup_key("k1"));
}

TEST_CASE("enricher: traceparent kept when valid, replaced when not", "[rating]") {
  Enricher e(RatingSettings{}, 7);
  const std::string tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  CHECK(e.trace_for(tp) == tp);
  CHECK(e.trace_for("00-00000000000000000000000000000000-00f067aa0ba902b7-01") != tp);
  CHECK(valid_traceparent(e.trace_for("garbage")));
  CHECK_FALSE(valid_traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  CHECK_FALSE(valid_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}
