#include <string>

#include "unit/ingest/decode_helpers.hpp"

using namespace alertgate;
using namespace alertgate::test;

TEST_CASE("native: single object, minimal") {
  const auto d = decode_native(R"({"labels":{"alertname":"DiskFull"}})");
  CHECK(d.report.accepted == 1);
  CHECK(d.report.rejected == 0);
  CHECK(d.report.errors.empty());
  REQUIRE(d.alerts.size() == 1);
  const Alert& a = d.alerts[0];
  CHECK(a.labels == LabelSet{{"alertname", "DiskFull"}});
  CHECK(a.annotations.empty());
  CHECK(a.source_format == SourceFormat::native);
  CHECK(a.severity_raw.empty());
  CHECK(a.dedup_key.empty());
  CHECK(a.starts_at == TimePoint{});
  CHECK(a.ends_at == TimePoint{});
}

TEST_CASE("native: full object, every field") {
  const auto d = decode_native(R"({
    "labels":{"alertname":"DiskFull","severity":"warning","team":"db"},
    "annotations":{"summary":"from annotations","runbook":"http://rb"},
    "startsAt":"2026-08-20T10:00:00.123Z","endsAt":"2026-08-20T11:00:00Z",
    "generatorURL":"http://gen","severity":"P1","summary":"disk 95% full",
    "source":"db1.example.com","dedup_key":"t42/disk/db1"})");
  REQUIRE(d.report.errors.empty());
  REQUIRE(d.alerts.size() == 1);
  const Alert& a = d.alerts[0];
  CHECK(a.labels == LabelSet{{"alertname", "DiskFull"},
                             {"severity", "warning"},
                             {"source", "db1.example.com"},
                             {"team", "db"}});
  // The top-level summary wins over annotations.summary.
  CHECK(a.annotations == LabelSet{{"runbook", "http://rb"}, {"summary", "disk 95% full"}});
  CHECK(a.starts_at == t("2026-08-20T10:00:00.123Z"));
  CHECK(a.ends_at == t("2026-08-20T11:00:00Z"));
  CHECK(a.generator_url == "http://gen");
  CHECK(a.severity_raw == "P1");  // the field wins over labels.severity
  CHECK(a.dedup_key == "t42/disk/db1");
  CHECK(a.source_format == SourceFormat::native);
}

TEST_CASE("native: severity and source fallbacks") {
  auto d = decode_native(
      R"({"labels":{"a":"b","severity":"critical","source":"label"},"source":"field"})");
  REQUIRE(d.alerts.size() == 1);
  CHECK(d.alerts[0].severity_raw == "critical");
  CHECK(label(d.alerts[0].labels, "source") == "label");  // labels win for source

  d = decode_native(
      R"({"labels":{"a":"b"},"severity":null,"summary":null,"source":null,"dedup_key":null})");
  REQUIRE(d.alerts.size() == 1);
  CHECK(d.alerts[0].severity_raw.empty());
  CHECK(d.alerts[0].annotations.empty());
  CHECK(d.alerts[0].labels.size() == 1);
}

TEST_CASE("native: array of objects with mixed validity") {
  const std::string body = R"([{"labels":{"a":"1"}},{"labels":{"a":"2"},"lables":{"x":"y"}},)"
                           R"({"labels":{"a":"3"},"severity":2},"str",{"labels":{"a":"5"}}])";
  const auto d = decode_native(body);
  CHECK(d.report.accepted == 2);
  CHECK(d.report.rejected == 3);
  REQUIRE(d.alerts.size() == 2);
  CHECK(label(d.alerts[1].labels, "a") == "5");
  REQUIRE(d.report.errors.size() == 3);
  CHECK(d.report.errors[0].index == 1);
  CHECK(d.report.errors[0].offset == pos(body, R"("lables")"));
  CHECK(d.report.errors[0].message == R"(alerts[1]: unknown field "lables")");
  CHECK(d.report.errors[1].index == 2);
  CHECK(d.report.errors[1].offset == pos(body, "2}"));
  CHECK(d.report.errors[1].message == "alerts[2].severity: expected a string, got a number");
  CHECK(d.report.errors[2].index == 3);
  CHECK(d.report.errors[2].offset == pos(body, R"("str")"));
  CHECK(d.report.errors[2].message == "alerts[3]: expected an alert object, got a string");
}

TEST_CASE("native: single-object errors have no alerts[] prefix") {
  std::string body = R"({"labels":{"a":"b"},"lables":{}})";
  auto d = decode_native(body);
  CHECK(d.report.accepted == 0);
  CHECK(d.report.rejected == 1);
  CHECK_FALSE(d.report.body_error);
  check_single_error(d.report, 0, pos(body, R"("lables")"), R"(unknown field "lables")");
  CHECK(d.report.errors[0].message == R"(unknown field "lables")");

  body = R"({"labels":{"a":"b","a":"c"}})";
  d = decode_native(body);
  check_single_error(d.report, 0, pos(body, R"("a":"c")"), "labels.a: duplicate label name");
  CHECK(d.report.errors[0].message == "labels.a: duplicate label name");

  body = R"({"labels":{"a":"b"},"summary":"x","summary":"y"})";
  d = decode_native(body);
  check_single_error(d.report, 0, pos(body, R"("summary":"y")"), R"(duplicate field "summary")");
}

TEST_CASE("native: labels are required even with source") {
  std::string body = R"(  {"source":"db1","summary":"s"})";
  auto d = decode_native(body);
  check_single_error(d.report, 0, 2, "labels: at least one label is required");
}

TEST_CASE("native: dedup_key and string fields") {
  std::string key(255, 'k');
  auto d = decode_native(R"({"labels":{"a":"b"},"dedup_key":")" + key + "\"}");
  REQUIRE(d.alerts.size() == 1);
  CHECK(d.alerts[0].dedup_key == key);

  std::string body = R"({"labels":{"a":"b"},"dedup_key":")" + key + "k\"}";
  d = decode_native(body);
  check_single_error(d.report, 0, pos(body, "\"kkk"), "dedup_key: too long (256 bytes, max 255)");

  for (const char* field : {"severity", "summary", "source", "dedup_key", "generatorURL"}) {
    body = std::string(R"({"labels":{"a":"b"},")") + field + R"(":{"x":1}})";
    INFO(body);
    d = decode_native(body);
    check_single_error(d.report, 0, pos(body, R"({"x")"),
                       std::string(field) + ": expected a string, got an object");
  }
}

TEST_CASE("native: unicode and huge numbers") {
  std::string body =
      R"({"labels":{"alertname":"\u00e9t\u00e9 \ud83d\ude00"},"summary":"🚀 lift-off"})";
  auto d = decode_native(body);
  REQUIRE(d.alerts.size() == 1);
  CHECK(label(d.alerts[0].labels, "alertname") == "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80");
  CHECK(label(d.alerts[0].annotations, "summary") == "\xF0\x9F\x9A\x80 lift-off");

  body = R"({"labels":{"a":"b"},"summary":123456789012345678901234567890})";
  d = decode_native(body);
  check_single_error(d.report, 0, pos(body, "1234"), "summary: expected a string, got a number");

  body = R"({"labels":{"a":"b"},"severity":1e999})";
  d = decode_native(body);
  check_single_error(d.report, 0, pos(body, "1e999"), "severity: expected a string, got a number");
}

TEST_CASE("native: body level errors") {
  check_body_error(decode_native("").report, 0, "empty body");
  check_body_error(decode_native("   ").report, 0, "empty body");
  check_body_error(decode_native(R"("alert")").report, 0,
                   "expected a JSON object or an array of alert objects");
  check_body_error(decode_native("true").report, 0, "expected a JSON object or an array");

  std::string body = R"({"labels":{"a":"b"}} {"labels":{"a":"c"}})";
  auto d = decode_native(body);
  CHECK(d.alerts.empty());
  check_body_error(d.report, pos(body, R"( {"labels":{"a":"c"}})") + 1,
                   "unexpected content after the JSON value");

  // Ends with a `}` that closes the labels, not the object: found while decoding.
  body = R"({"labels":{"a":"b"})";
  d = decode_native(body);
  check_body_error(d.report, body.size(), "invalid JSON");
  body = R"({"labels":{"a":"b"}}})";
  d = decode_native(body);
  check_body_error(d.report, body.size() - 1, "unexpected content after the JSON value");

  body = "{\"labels\":{\"a\":\"\xC3\"}}";
  d = decode_native(body);
  check_body_error(d.report, body.find('\xC3'), "invalid UTF-8");

  // Deep nesting in an object body is a body error only if unbalanced; here it is an
  // unknown field, which native rejects.
  body = R"({"labels":{"a":"b"},"deep":)" + std::string(2000, '[') + std::string(2000, ']') + "}";
  d = decode_native(body);
  check_single_error(d.report, 0, pos(body, R"("deep")"), R"(unknown field "deep")");
}

TEST_CASE("native: syntax error inside a single object is a body error") {
  const std::string body = R"({"labels":{"a":"b"} "summary":"x"})";
  const auto d = decode_native(body);
  CHECK(d.alerts.empty());
  check_body_error(d.report, pos(body, R"("summary")"), "invalid JSON");
}

TEST_CASE("native: limits apply as for Alertmanager") {
  DecodeLimits limits;
  limits.max_alerts = 1;
  limits.max_annotation_value_bytes = 3;
  std::string body =
      R"([{"labels":{"a":"b"},"summary":"abcd"},{"labels":{"a":"b"}},{"labels":{"a":"b"}}])";
  auto d = decode_native(body, limits);
  CHECK(d.report.accepted == 0);
  CHECK(d.report.rejected == 3);
  REQUIRE(d.report.errors.size() == 2);
  CHECK(d.report.errors[0].message == "alerts[0].summary: too long (4 bytes, max 3)");
  CHECK(d.report.errors[0].offset == pos(body, R"("abcd")"));
  CHECK(d.report.errors[1].message == "alerts[1]: too many alerts in one request (max 1)");
  CHECK(d.report.errors[1].offset == pos(body, R"({"labels")", 1));
}
