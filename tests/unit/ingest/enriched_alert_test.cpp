#include "alertgate/enriched_alert.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/alert_json.hpp"
#include "alertgate/time.hpp"

using namespace alertgate;

namespace {

// Random alerts covering every field append_alert_json writes: escapes, control
// characters, non-ASCII text, times before 1970 and with nanoseconds, the "not given" time,
// every enum value, empty optional strings.
class AlertMaker {
 public:
  explicit AlertMaker(std::uint64_t seed) : rng_(seed) {}

  Alert next() {
    Alert a;
    const std::size_t labels = 1 + pick(12);
    for (std::size_t i = 0; i < labels; ++i) set_label(a.labels, label_name(), text(40));
    const std::size_t annotations = pick(6);
    for (std::size_t i = 0; i < annotations; ++i) {
      std::string name = text(20);
      if (name.empty()) name = "n";
      set_label(a.annotations, name, text(200));
    }
    a.starts_at = time();
    a.ends_at = time();
    a.received_at = time();
    a.generator_url = pick(2) == 0 ? std::string() : "http://gen/" + text(30);
    a.dedup_key = pick(2) == 0 ? std::string() : text(50);
    a.source_format = static_cast<SourceFormat>(pick(kSourceFormatCount));
    a.tenant_id = "t-" + std::to_string(pick(2000));
    a.severity = static_cast<Severity>(pick(4));
    a.status = static_cast<AlertStatus>(pick(2));
    a.rating = static_cast<std::uint8_t>(pick(101));
    a.fingerprint = rng_();
    a.alert_id = "01J" + std::to_string(rng_());
    a.trace =
        pick(4) == 0 ? std::string() : "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    return a;
  }

 private:
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }

  std::string label_name() {
    static constexpr std::string_view kFirst = "abcxyzABCXYZ_";
    static constexpr std::string_view kRest = "abcxyzABCXYZ_0189";
    std::string n(1, kFirst[pick(kFirst.size())]);
    const std::size_t len = pick(12);
    for (std::size_t i = 0; i < len; ++i) n.push_back(kRest[pick(kRest.size())]);
    return n;
  }

  // Valid UTF-8 with every kind of character the encoder escapes or copies.
  std::string text(std::size_t max_len) {
    static const std::vector<std::string> kPieces{"a",
                                                  "Z",
                                                  "0",
                                                  " ",
                                                  "\"",
                                                  "\\",
                                                  "/",
                                                  "\n",
                                                  "\t",
                                                  "\r",
                                                  "\b",
                                                  "\f",
                                                  std::string(1, '\0'),
                                                  "\x01",
                                                  "\x1f",
                                                  "\x7f",
                                                  "é",
                                                  "€",
                                                  "😀",
                                                  "{",
                                                  "}",
                                                  "[",
                                                  "]",
                                                  ":",
                                                  ","};
    std::string s;
    const std::size_t len = pick(max_len + 1);
    for (std::size_t i = 0; i < len; ++i) s += kPieces[pick(kPieces.size())];
    return s;
  }

  TimePoint time() {
    switch (pick(4)) {
      case 0: return TimePoint{};  // written as Go's zero time, read back as "not given"
      case 1: return TimePoint{std::chrono::seconds(1'790'000'000 + pick(1000))};
      default: {
        // Anywhere in 1683..2255, down to the nanosecond.
        // Unsigned arithmetic first: the shift by 9e18 must not overflow a signed type.
        constexpr std::uint64_t kHalf = 9'000'000'000'000'000'000ULL;
        const std::uint64_t u = rng_() % (2 * kHalf);
        const std::int64_t ns = u >= kHalf ? static_cast<std::int64_t>(u - kHalf)
                                           : -static_cast<std::int64_t>(kHalf - u);
        return TimePoint{std::chrono::nanoseconds(ns)};
      }
    }
  }

  std::mt19937_64 rng_;
};

void check_same(const Alert& got, const Alert& want) {
  CHECK(got.alert_id == want.alert_id);
  CHECK(got.tenant_id == want.tenant_id);
  CHECK(got.fingerprint == want.fingerprint);
  CHECK(got.status == want.status);
  CHECK(got.severity == want.severity);
  CHECK(got.rating == want.rating);
  CHECK(got.labels == want.labels);
  CHECK(got.annotations == want.annotations);
  CHECK(got.starts_at == want.starts_at);
  CHECK(got.ends_at == want.ends_at);
  CHECK(got.generator_url == want.generator_url);
  CHECK(got.dedup_key == want.dedup_key);
  CHECK(got.received_at == want.received_at);
  CHECK(got.source_format == want.source_format);
  CHECK(got.trace == want.trace);
}

std::string encode(const Alert& a) {
  std::string out;
  append_alert_json(out, a);
  return out;
}

constexpr std::string_view kValid =
    R"({"alert_id":"01J","tenant_id":"t-1","fingerprint":"c1f2e3d4a5b6c7d8","status":"firing",)"
    R"("severity":"critical","rating":92,"labels":{"alertname":"HighCPU"},"annotations":{},)"
    R"("startsAt":"2026-08-20T10:00:00Z","endsAt":"0001-01-01T00:00:00Z",)"
    R"("received_at":"2026-08-20T10:00:01.5Z","source_format":"alertmanager_v2","traceparent":""})";

}  // namespace

TEST_CASE("enriched alert: the documented example decodes") {
  auto r = decode_enriched_alert(kValid);
  REQUIRE(r.ok());
  const Alert& a = *r;
  CHECK(a.alert_id == "01J");
  CHECK(a.tenant_id == "t-1");
  CHECK(a.fingerprint == 0xc1f2e3d4a5b6c7d8ULL);
  CHECK(a.status == AlertStatus::firing);
  CHECK(a.severity == Severity::critical);
  CHECK(a.rating == 92);
  CHECK(a.labels == LabelSet{{"alertname", "HighCPU"}});
  CHECK(a.annotations.empty());
  CHECK(a.starts_at == parse_rfc3339("2026-08-20T10:00:00Z").value);
  CHECK(a.ends_at == TimePoint{});
  CHECK(a.received_at == parse_rfc3339("2026-08-20T10:00:01.5Z").value);
  CHECK(a.source_format == SourceFormat::alertmanager_v2);
  CHECK(a.generator_url.empty());
  CHECK(a.dedup_key.empty());
  CHECK(a.trace.empty());
  CHECK(a.severity_raw.empty());  // not on the wire
}

TEST_CASE("enriched alert: every field round-trips through append_alert_json") {
  AlertMaker maker(20261204);
  EnrichedAlertDecoder decoder;  // reused, as a router thread does
  for (int i = 0; i < 2000; ++i) {
    const Alert want = maker.next();
    const std::string json = encode(want);
    INFO("alert " << i << ": " << json);
    auto got = decoder.decode(json);
    if (!got.ok()) FAIL("error at " << got.error().offset << ": " << got.error().message);
    check_same(*got, want);
    CHECK(encode(*got) == json);  // and back to the same bytes
  }
}

TEST_CASE("enriched alert: fields in any order, unknown fields ignored, nulls") {
  const std::string json =
      R"( {"future":{"x":[1,2,{"y":null}]},"source_format":"pagerduty","rating":0,)"
      R"("labels":{"b":"2","a":"1"},"received_at":"2026-08-20T10:00:00+02:00",)"
      R"("severity":"info","status":"resolved","fingerprint":"ffffffffffffffff",)"
      R"("tenant_id":"t","alert_id":"x","annotations":null,"startsAt":null,)"
      R"("generatorURL":null,"dedup_key":"d\u00e9"} )";
  auto r = decode_enriched_alert(json);
  REQUIRE(r.ok());
  CHECK(r->labels == LabelSet{{"a", "1"}, {"b", "2"}});
  CHECK(r->fingerprint == ~std::uint64_t{0});
  CHECK(r->status == AlertStatus::resolved);
  CHECK(r->severity == Severity::info);
  CHECK(r->source_format == SourceFormat::pagerduty);
  CHECK(r->rating == 0);
  CHECK(r->received_at == parse_rfc3339("2026-08-20T08:00:00Z").value);
  CHECK(r->starts_at == TimePoint{});
  CHECK(r->dedup_key == "dé");
}

TEST_CASE("enriched alert: bad input names the field and its byte offset") {
  struct Case {
    std::string json;
    std::string_view at;  // the text the offset must point at (first occurrence)
    std::string_view message;
  };
  const std::string v(kValid);
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string s = v;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  const std::vector<Case> cases{
      {replace(R"("c1f2e3d4a5b6c7d8")", R"("C1F2")"), R"("C1F2")",
       R"(fingerprint: expected 16 lowercase hex digits, got "C1F2")"},
      {replace(R"("c1f2e3d4a5b6c7d8")", R"("c1f2e3d4a5b6c7dx")"), R"("c1f2e3d4a5b6c7dx")",
       "fingerprint: expected 16 lowercase hex digits"},
      {replace("92", "101"), "101", "rating: expected an integer 0..100, got 101"},
      {replace("92", "-1"), "-1,", "rating: expected an integer 0..100, got -1"},
      {replace("92", "9.5"), "9.5", "rating: expected an integer 0..100, got 9.5"},
      {replace("92", R"("92")"), R"("92")", "rating: expected an integer 0..100, got a string"},
      {replace(R"("firing")", R"("open")"), R"("open")",
       R"(status: unknown value "open" (expected firing|resolved))"},
      {replace(R"("critical")", R"("P1")"), R"("P1")", "severity: unknown value \"P1\""},
      {replace(R"("alertmanager_v2")", R"("kafka")"), R"("kafka")", "source_format: unknown value"},
      {replace(R"("2026-08-20T10:00:00Z")", R"("yesterday")"), R"("yesterday")",
       R"(startsAt: invalid RFC 3339 time "yesterday")"},
      {replace(R"({"alertname":"HighCPU"})", "{}"), "{}", "labels: at least one label is required"},
      {replace(R"("alertname")", R"("alert-name")"), R"("alert-name")",
       "labels[\"alert-name\"]: invalid label name"},
      {replace(R"("HighCPU")", "7"), "7}", "labels.alertname: expected a string, got a number"},
      {replace(R"("tenant_id":"t-1",)", ""), "{", R"(missing field "tenant_id")"},
      {replace(R"("alert_id")", R"("rating":1,"alert_id")"), R"("rating":92)",
       R"(duplicate field "rating")"},
      {replace(R"("traceparent":"")", R"("traceparent":"","x":1,"x":2)"), R"("x":2)",
       R"(duplicate field "x")"},
      {"[]", "[]", "expected a JSON object (one enriched alert)"},
      {"", "", "empty body"},
      {v + R"( {"x":1})", R"({"x":1})", "unexpected content after the JSON value"},
      {v.substr(0, v.find(R"("labels")")), "", "truncated"},
      {replace(R"("t-1")", "\"t\xff\""), "\xff", "invalid UTF-8"},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    auto r = decode_enriched_alert(c.json);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().index == DecodeError::kBodyError);
    CHECK_THAT(r.error().message, Catch::Contains(std::string(c.message)));
    const std::size_t want_at = c.at.empty() ? c.json.size() : c.json.find(c.at);
    if (c.at.empty() && c.json.empty()) {
      CHECK(r.error().offset == 0);
    } else {
      CHECK(r.error().offset == want_at);
    }
  }
}

TEST_CASE("enriched alert: a decoder is reusable after errors") {
  EnrichedAlertDecoder decoder;
  CHECK_FALSE(decoder.decode("{").ok());
  CHECK_FALSE(decoder.decode(R"({"labels":1})").ok());
  auto r = decoder.decode(kValid);
  REQUIRE(r.ok());
  CHECK(r->fingerprint == 0xc1f2e3d4a5b6c7d8ULL);
}

TEST_CASE("enriched alert: the fuzz seed corpus has valid and invalid values") {
  const std::string dir = std::string(ALERTGATE_SOURCE_DIR) + "/tests/fuzz/corpus/enriched_alert/";
  auto read = [&](const char* name) {
    std::ifstream in(dir + name, std::ios::binary);
    REQUIRE(in);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  for (const char* valid : {"full.json", "minimal.json", "reordered.json"}) {
    INFO(valid);
    auto r = decode_enriched_alert(read(valid));
    if (!r.ok()) FAIL(r.error().message);
  }
  for (const char* invalid : {"bad_values.json", "truncated.json", "wrong_root.json"}) {
    INFO(invalid);
    CHECK_FALSE(decode_enriched_alert(read(invalid)).ok());
  }
}
