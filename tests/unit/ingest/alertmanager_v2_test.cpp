#include <string>

#include "unit/ingest/decode_helpers.hpp"

using namespace alertgate;
using namespace alertgate::test;

TEST_CASE("am_v2: minimal alert") {
  const auto d = decode_am(R"([{"labels":{"alertname":"HighCPU"}}])");
  CHECK(d.report.accepted == 1);
  CHECK(d.report.rejected == 0);
  CHECK(d.report.errors.empty());
  CHECK_FALSE(d.report.body_error);
  REQUIRE(d.alerts.size() == 1);
  const Alert& a = d.alerts[0];
  CHECK(a.labels == LabelSet{{"alertname", "HighCPU"}});
  CHECK(a.annotations.empty());
  CHECK(a.starts_at == TimePoint{});
  CHECK(a.ends_at == TimePoint{});
  CHECK(a.generator_url.empty());
  CHECK(a.severity_raw.empty());
  CHECK(a.dedup_key.empty());
  CHECK(a.source_format == SourceFormat::alertmanager_v2);
  CHECK(a.tenant_id.empty());
  CHECK(a.fingerprint == 0);
  CHECK(a.alert_id.empty());
}

TEST_CASE("am_v2: full alert, every field") {
  const auto d = decode_am(R"([
    {"labels":{"severity":"critical","alertname":"HighCPU","instance":"db1:9100"},
     "annotations":{"summary":"CPU > 90%","description":"long\ntext"},
     "startsAt":"2026-08-20T10:00:00Z","endsAt":"2026-08-20T10:04:00.5+00:00",
     "generatorURL":"http://prom:9090/graph?g0.expr=up",
     "unknown":{"nested":[1,2,{"x":1e999}]},"status":"firing","fingerprint":123}
  ])");
  REQUIRE(d.report.errors.empty());
  REQUIRE(d.alerts.size() == 1);
  const Alert& a = d.alerts[0];
  CHECK(a.labels ==
        LabelSet{{"alertname", "HighCPU"}, {"instance", "db1:9100"}, {"severity", "critical"}});
  CHECK(a.annotations == LabelSet{{"description", "long\ntext"}, {"summary", "CPU > 90%"}});
  CHECK(a.starts_at == t("2026-08-20T10:00:00Z"));
  CHECK(a.ends_at == t("2026-08-20T10:04:00.5Z"));
  CHECK(a.generator_url == "http://prom:9090/graph?g0.expr=up");
  CHECK(a.severity_raw == "critical");
  CHECK(a.dedup_key.empty());
}

TEST_CASE("am_v2: empty array and several alerts") {
  auto d = decode_am("[]");
  CHECK(d.report.accepted == 0);
  CHECK(d.report.rejected == 0);
  CHECK(d.report.errors.empty());
  CHECK_FALSE(d.report.body_error);

  d = decode_am(R"( [ {"labels":{"a":"1"}} , {"labels":{"a":"2"}},{"labels":{"a":"3"}} ] )");
  CHECK(d.report.accepted == 3);
  REQUIRE(d.alerts.size() == 3);
  CHECK(label(d.alerts[2].labels, "a") == "3");
}

TEST_CASE("am_v2: mixed valid and invalid alerts keep the valid ones") {
  const std::string body = R"([{"labels":{"a":1}},{"labels":{"b":"c"}}, 3, {"labels":{}},)"
                           R"({"labels":{"x":"y"},"labels":{"z":"w"}},{"labels":{"ok":"yes"}}])";
  const auto d = decode_am(body);
  CHECK(d.report.accepted == 2);
  CHECK(d.report.rejected == 4);
  CHECK_FALSE(d.report.body_error);
  REQUIRE(d.alerts.size() == 2);
  CHECK(label(d.alerts[0].labels, "b") == "c");
  CHECK(label(d.alerts[1].labels, "ok") == "yes");
  REQUIRE(d.report.errors.size() == 4);
  const auto& e = d.report.errors;
  CHECK(e[0].index == 0);
  CHECK(e[0].offset == pos(body, "1}"));
  CHECK(e[0].message == "alerts[0].labels.a: expected a string, got a number");
  CHECK(e[1].index == 2);
  CHECK(e[1].offset == pos(body, "3"));
  CHECK(e[1].message == "alerts[2]: expected an alert object, got a number");
  CHECK(e[2].index == 3);
  CHECK(e[2].offset == pos(body, "{}"));
  CHECK(e[2].message == "alerts[3].labels: at least one label is required");
  CHECK(e[3].index == 4);
  CHECK(e[3].offset == pos(body, R"("labels":{"z")"));
  CHECK(e[3].message == R"(alerts[4]: duplicate field "labels")");
}

TEST_CASE("am_v2: label values must be strings") {
  const char* values[][2] = {
      {"1e999", "a number"},
      {"123456789012345678901234567890", "a number"},
      {"-0.5", "a number"},
      {"true", "a boolean"},
      {"null", "null"},
      {R"({"nested":{"deeper":"x"}})", "an object"},
      {R"(["a","b"])", "an array"},
  };
  for (const auto& v : values) {
    const std::string body =
        std::string(R"([{"labels":{"alertname":"A","severity":)") + v[0] + "}}]";
    INFO(body);
    const auto d = decode_am(body);
    CHECK(d.alerts.empty());
    CHECK(d.report.rejected == 1);
    check_single_error(d.report, 0, pos(body, v[0]),
                       std::string("alerts[0].labels.severity: expected a string, got ") + v[1]);
  }
}

TEST_CASE("am_v2: label names follow the Prometheus rule") {
  for (const char* name : {"foo-bar", "1abc", "", "a b", "é", "a.b"}) {
    const std::string body =
        std::string(R"([{"labels":{"ok":"1","__":"x","_a9":"y",")") + name + R"(":"v"}}])";
    INFO(body);
    const auto d = decode_am(body);
    CHECK(d.alerts.empty());
    check_single_error(d.report, 0, pos(body, std::string("\"") + name + "\":\"v\""),
                       "invalid label name (must match [a-zA-Z_][a-zA-Z0-9_]*)");
  }
  const auto d = decode_am(R"([{"labels":{"foo-bar":"v"}}])");
  CHECK(d.report.errors.at(0).message ==
        R"(alerts[0].labels["foo-bar"]: invalid label name (must match [a-zA-Z_][a-zA-Z0-9_]*))");
  // Annotation names are free-form.
  const auto ok =
      decode_am(R"([{"labels":{"a":"b"},"annotations":{"runbook-url":"x","é 1":"y"}}])");
  CHECK(ok.report.errors.empty());
  CHECK(label(ok.alerts.at(0).annotations, "runbook-url") == "x");
}

TEST_CASE("am_v2: duplicate keys reject the alert") {
  std::string body = R"([{"labels":{"a":"1","b":"2","a":"3"}},{"labels":{"ok":"1"}}])";
  auto d = decode_am(body);
  CHECK(d.report.accepted == 1);
  CHECK(d.report.rejected == 1);
  check_single_error(d.report, 0, pos(body, R"("a":"3")"),
                     "alerts[0].labels.a: duplicate label name");

  body = R"([{"labels":{"a":"1"},"annotations":{"s":"1","s":"2"}}])";
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, R"("s":"2")"),
                     "alerts[0].annotations.s: duplicate annotation name");

  body = R"([{"labels":{"a":"1"},"x":1,"x":2}])";  // even ignored fields
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, R"("x":2)"), R"(alerts[0]: duplicate field "x")");

  body = R"([{"labels":{"a":"1"},"startsAt":null,"startsAt":"2026-08-20T10:00:00Z"}])";
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, R"("startsAt":")"), R"(duplicate field "startsAt")");

  // An escaped key is the same key.
  body = R"([{"labels":{"a":"1","\u0061":"2"}}])";
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, R"("\u0061")"), "duplicate label name");

  // Many distinct labels (the hashed path of the duplicate check), then a duplicate.
  body = R"([{"labels":{)";
  for (int i = 0; i < 40; ++i) body += "\"l" + std::to_string(i) + "\":\"v\",";
  body += R"("l7":"again"}}])";
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, R"("l7":"again")"), "alerts[0].labels.l7: duplicate");
}

TEST_CASE("am_v2: labels are required") {
  std::string body = R"([{"annotations":{"a":"b"}}])";
  auto d = decode_am(body);
  check_single_error(d.report, 0, 1, "alerts[0].labels: at least one label is required");

  body = R"([{"labels":null}])";
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, "null"), "at least one label is required");

  body = R"([{"labels":["a"]}])";
  d = decode_am(body);
  check_single_error(d.report, 0, 11, "alerts[0].labels: expected an object, got an array");

  body = R"([{"labels":"a=b"}])";
  d = decode_am(body);
  check_single_error(d.report, 0, 11, "alerts[0].labels: expected an object, got a string");
}

TEST_CASE("am_v2: times") {
  std::string body = R"([{"labels":{"a":"b"},"startsAt":"2026-08-20T10:00:00+02:00",)"
                     R"("endsAt":"0001-01-01T00:00:00Z"}])";
  auto d = decode_am(body);
  REQUIRE(d.alerts.size() == 1);
  CHECK(d.alerts[0].starts_at == t("2026-08-20T08:00:00Z"));
  CHECK(d.alerts[0].ends_at == TimePoint{});  // Go zero time: not given

  d = decode_am(R"([{"labels":{"a":"b"},"startsAt":null,"endsAt":null}])");
  REQUIRE(d.alerts.size() == 1);
  CHECK(d.alerts[0].starts_at == TimePoint{});

  body = R"([{"labels":{"a":"b"},"startsAt":"2026-02-30T10:00:00Z"}])";
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, "\"2026"),
                     R"(alerts[0].startsAt: invalid RFC 3339 time "2026-02-30T10:00:00Z")");

  body = R"([{"labels":{"a":"b"},"endsAt":"2026-08-20T10:00:00"}])";
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, "\"2026"), "alerts[0].endsAt: invalid RFC 3339 time");

  body = R"([{"labels":{"a":"b"},"endsAt":"3000-01-01T00:00:00Z"}])";
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, "\"3000"), "out of range (years 1678..2262)");

  body = R"([{"labels":{"a":"b"},"startsAt":1755684000}])";
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, "175"),
                     "alerts[0].startsAt: expected a string, got a number");

  body = R"([{"labels":{"a":"b"},"startsAt":""}])";
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, R"("")"), "invalid RFC 3339 time");

  body =
      R"([{"endsAt":"2026-08-20T10:00:00Z","labels":{"a":"b"},"startsAt":"2026-08-20T10:00:01Z"}])";
  d = decode_am(body);
  check_single_error(d.report, 0, pos(body, "\"2026"),
                     "alerts[0].endsAt: endsAt is before startsAt");

  d = decode_am(
      R"([{"labels":{"a":"b"},"startsAt":"2026-08-20T10:00:00Z","endsAt":"2026-08-20T10:00:00Z"}])");
  CHECK(d.report.accepted == 1);
}

TEST_CASE("am_v2: unicode in labels and annotations") {
  const std::string body =
      R"([{"labels":{"alertname":"Caf\u00e9","emoji":"🔥 fire","pair":"\ud83d\ude00",)"
      R"("\u0073ervice":"db"},"annotations":{"ключ":"значение","esc":"tab\there \"q\" \\ \/"}}])";
  const auto d = decode_am(body);
  REQUIRE(d.report.errors.empty());
  REQUIRE(d.alerts.size() == 1);
  const Alert& a = d.alerts[0];
  CHECK(label(a.labels, "alertname") == "Caf\xC3\xA9");
  CHECK(label(a.labels, "emoji") == "\xF0\x9F\x94\xA5 fire");
  CHECK(label(a.labels, "pair") == "\xF0\x9F\x98\x80");
  CHECK(label(a.labels, "service") == "db");
  CHECK(label(a.annotations, "ключ") == "значение");
  CHECK(label(a.annotations, "esc") == "tab\there \"q\" \\ /");
  CHECK(well_formed(a.labels));
  CHECK(well_formed(a.annotations));
}

TEST_CASE("am_v2: lone surrogates and bad escapes are reported, not decoded") {
  for (const char* value :
       {R"("\udc00")", R"("\ud800")", R"("\ud800\u0041")", R"("\x")", R"("\u12")"}) {
    const std::string body =
        std::string(R"([{"labels":{"a":)") + value + R"(}},{"labels":{"b":"c"}}])";
    INFO(body);
    const auto d = decode_am(body);
    CHECK(d.report.accepted == 1);
    CHECK(d.report.rejected == 1);
    check_single_error(d.report, 0, pos(body, value), "alerts[0].labels.a: invalid string");
  }
  const std::string body = R"([{"labels":{"\udc00":"v"}}])";
  const auto d = decode_am(body);
  check_single_error(d.report, 0, pos(body, R"("\udc00")"), "alerts[0].labels: invalid name");
}

TEST_CASE("am_v2: deep nesting") {
  // 2000 nested arrays: a valid JSON array whose element is not an alert object.
  std::string body = std::string(2000, '[') + std::string(2000, ']');
  auto d = decode_am(body);
  CHECK(d.report.accepted == 0);
  CHECK(d.report.rejected == 1);
  check_single_error(d.report, 0, 1, "alerts[0]: expected an alert object, got an array");

  // Deep nesting in an ignored field is skipped.
  body = R"([{"labels":{"a":"b"},"deep":)" + std::string(2000, '[') + std::string(2000, ']') +
         R"(},{"labels":{"c":"d"}}])";
  d = decode_am(body);
  CHECK(d.report.accepted == 2);
  CHECK(d.report.errors.empty());

  // ... and in a label value it is a type error.
  body = R"([{"labels":{"a":)";
  for (int i = 0; i < 2000; ++i) body += R"({"k":)";
  body += "1" + std::string(2000, '}') + R"(}},{"labels":{"c":"d"}}])";
  d = decode_am(body);
  CHECK(d.report.accepted == 1);
  check_single_error(d.report, 0, 16, "alerts[0].labels.a: expected a string, got an object");
}

TEST_CASE("am_v2: syntax error in the middle keeps the alerts before it") {
  std::string body =
      R"([{"labels":{"a":"1"}},{"labels":{"a":"2"}} {"labels":{"a":"3"}},{"labels":{"a":"4"}}])";
  auto d = decode_am(body);
  CHECK(d.report.accepted == 2);
  CHECK(d.report.rejected == 1);  // the rest, however many
  CHECK_FALSE(d.report.body_error);
  REQUIRE(d.alerts.size() == 2);
  check_single_error(d.report, 2, pos(body, R"({"labels":{"a":"3"})"), "alerts[2]: invalid JSON");

  body = R"([{"labels":{"a":"1"}},{"labels" {"a":"2"}},{"labels":{"a":"3"}}])";
  d = decode_am(body);
  CHECK(d.report.accepted == 1);
  CHECK(d.report.rejected == 1);
  check_single_error(d.report, 1, pos(body, R"( {"a":"2"})") + 1, "alerts[1]: invalid JSON");

  body = R"([{"labels":{"a":"1"}},{"labels":{"a":"2",}}])";
  d = decode_am(body);
  CHECK(d.report.accepted == 1);
  CHECK(d.report.rejected == 1);
  REQUIRE(d.report.errors.size() == 1);
  CHECK(d.report.errors[0].index == 1);
  CHECK_THAT(d.report.errors[0].message, Catch::Contains("invalid JSON"));

  body = R"([{"labels":{"a":"1"}},,{"labels":{"a":"3"}}])";
  d = decode_am(body);
  CHECK(d.report.accepted == 1);
  CHECK(d.report.rejected == 1);
  check_single_error(d.report, 1, pos(body, ",,") + 1, "alerts[1]: invalid JSON");
}

TEST_CASE("am_v2: truncated bodies are body errors") {
  for (const char* body :
       {R"([{"labels":{"a":"b"}})", R"([{"labels":{"a":"b"}},)", R"([{"labels":{"a":)", "[",
        R"([{"labels":{"a":"b"}}]])", R"({"labels":{"a":"b"}}])"}) {
    INFO(body);
    const auto d = decode_am(body);
    CHECK(d.alerts.empty());
    CHECK(d.report.body_error);
    CHECK(d.report.rejected == 1);
    REQUIRE(d.report.errors.size() == 1);
    CHECK(d.report.errors[0].index == DecodeError::kBodyError);
  }
  std::string body = R"([{"labels":{"a":"b"}},{"labels":{"a":"c)";
  auto d = decode_am(body);
  check_body_error(d.report, pos(body, R"("c)"), "unclosed string");

  body = R"([{"labels":{"a":"b"}})";
  d = decode_am(body);
  check_body_error(d.report, body.size(), "truncated or unbalanced");
}

TEST_CASE("am_v2: body level errors") {
  check_body_error(decode_am("").report, 0, "empty body");
  check_body_error(decode_am(" \n\t ").report, 0, "empty body");
  check_body_error(decode_am(R"({"labels":{"a":"b"}})").report, 0,
                   "expected a JSON array of alerts");
  check_body_error(decode_am(R"(  "alerts")").report, 2, "expected a JSON array of alerts");
  check_body_error(decode_am("42").report, 0, "expected a JSON array of alerts");
  check_body_error(decode_am("null").report, 0, "expected a JSON array of alerts");
  check_body_error(decode_am("not json").report, 0, "expected a JSON array of alerts");
  check_body_error(decode_am("}").report, 0, "invalid JSON");
  check_body_error(decode_am("<html>").report, 0, "invalid JSON");

  // Invalid UTF-8: simdjson refuses the whole body; we find the byte.
  std::string body = "[{\"labels\":{\"a\":\"b\"}},{\"labels\":{\"a\":\"x\xFFy\"}}]";
  auto d = decode_am(body);
  check_body_error(d.report, body.find('\xFF'), "invalid UTF-8");

  body = "[{\"labels\":{\"a\":\"tab\there\"}}]";
  d = decode_am(body);
  check_body_error(d.report, body.find('\t'), "unescaped control character");

  // Trailing content after a complete array: nothing is kept.
  body = R"([{"labels":{"a":"b"}}] [])";
  d = decode_am(body);
  CHECK(d.alerts.empty());
  check_body_error(d.report, pos(body, "[]"), "unexpected content after the JSON value");
}

TEST_CASE("am_v2: limits") {
  DecodeLimits limits;
  limits.max_alerts = 2;
  std::string body =
      R"([{"labels":{"a":"1"}},{"labels":{"a":"2"}},{"labels":{"a":"3"}},{"labels":{"a":"4"}}])";
  auto d = decode_am(body, limits);
  CHECK(d.report.accepted == 2);
  CHECK(d.report.rejected == 2);
  check_single_error(d.report, 2, pos(body, R"({"labels":{"a":"3"})"),
                     "alerts[2]: too many alerts in one request (max 2)");

  limits = {};
  limits.max_labels = 2;
  body =
      R"([{"labels":{"a":"1","b":"2","c":"3"}},{"labels":{"a":"1","b":"2"},"annotations":{"x":"1","y":"2","z":"3"}}])";
  d = decode_am(body, limits);
  REQUIRE(d.report.errors.size() == 2);
  CHECK(d.report.errors[0].offset == pos(body, R"("c":"3")"));
  CHECK(d.report.errors[0].message == "alerts[0].labels: too many labels (max 2)");
  CHECK(d.report.errors[1].offset == pos(body, R"("z":"3")"));
  CHECK(d.report.errors[1].message == "alerts[1].annotations: too many annotations (max 2)");

  limits = {};
  limits.max_label_name_bytes = 4;
  limits.max_label_value_bytes = 5;
  limits.max_annotation_value_bytes = 6;
  limits.max_string_bytes = 10;
  body =
      R"([{"labels":{"abcd":"12345"},"annotations":{"s":"123456"},"generatorURL":"0123456789"},)"
      R"({"labels":{"abcde":"1"}},{"labels":{"a":"123456"}},{"labels":{"a":"1"},"annotations":{"s":"1234567"}},)"
      R"({"labels":{"a":"1"},"generatorURL":"01234567890"}])";
  d = decode_am(body, limits);
  CHECK(d.report.accepted == 1);
  CHECK(d.report.rejected == 4);
  REQUIRE(d.report.errors.size() == 4);
  CHECK(d.report.errors[0].message == "alerts[1].labels.abcde: name too long (5 bytes, max 4)");
  CHECK(d.report.errors[0].offset == pos(body, R"("abcde")"));
  CHECK(d.report.errors[1].message == "alerts[2].labels.a: too long (6 bytes, max 5)");
  CHECK(d.report.errors[1].offset == pos(body, R"({"a":"123456"})") + 5);
  CHECK(d.report.errors[2].message == "alerts[3].annotations.s: too long (7 bytes, max 6)");
  CHECK(d.report.errors[3].message == "alerts[4].generatorURL: too long (11 bytes, max 10)");
  CHECK(d.report.errors[3].offset == pos(body, R"("01234567890")"));
}

TEST_CASE("am_v2: decoder reuse and appending") {
  Decoder decoder;
  std::vector<Alert> out(1);  // already holds one alert
  std::string first = R"([{"labels":{"a":"1"}},{"labels":{"a":"2"}}])";
  std::string second = R"([{"labels":{"b":"1"}}])";
  std::string bad = "[{";
  auto r1 = decoder.alertmanager_v2(first, kNow, out);
  auto r2 = decoder.alertmanager_v2(bad, kNow, out);
  auto r3 = decoder.alertmanager_v2(second, kNow, out);
  CHECK(r1.accepted == 2);
  CHECK(r2.body_error);
  CHECK(r3.accepted == 1);
  REQUIRE(out.size() == 4);
  CHECK(label(out[3].labels, "b") == "1");
  // The body keeps its content; only its capacity grew for simdjson's padding.
  CHECK(second == R"([{"labels":{"b":"1"}}])");
  CHECK(second.capacity() >= second.size() + 64);

  // A trailing-content error after a good array removes only this call's alerts.
  std::string trailing = R"([{"labels":{"c":"1"}}] 1)";
  auto r4 = decoder.alertmanager_v2(trailing, kNow, out);
  CHECK(r4.body_error);
  CHECK(out.size() == 4);
}
