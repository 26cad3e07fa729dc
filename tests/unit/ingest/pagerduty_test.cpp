#include <string>

#include "unit/ingest/decode_helpers.hpp"

using namespace alertgate;
using namespace alertgate::test;

namespace {
const char* const kFull = R"({
  "routing_key":"R0123456789abcdef0123456789abcde","event_action":"trigger",
  "dedup_key":"t42/HighCPU/db1",
  "payload":{"summary":"CPU > 90% on db1","source":"db1.example.com","severity":"critical",
    "timestamp":"2026-08-20T10:00:00.25+02:00","component":"mysql","group":"db","class":"cpu",
    "custom_details":{"tenant":"t42", "load": [1.5, 2e3, -0, true, false, null], "note":"line\nnext \u00e9"},
    "unknown":{"ignored":true}},
  "client":"alertgate","client_url":"https://gw/",
  "links":[{"href":"https://rb/1","text":"runbook"}],
  "images":[{"src":"https://img/1.png"}],
  "extra_top_level":42
})";
}  // namespace

TEST_CASE("pagerduty: full trigger event") {
  const auto d = decode_pd(kFull);
  REQUIRE(d.pd.report.errors.empty());
  CHECK(d.pd.report.accepted == 1);
  CHECK(d.pd.report.rejected == 0);
  CHECK(d.pd.routing_key == "R0123456789abcdef0123456789abcde");
  CHECK(d.pd.dedup_key == "t42/HighCPU/db1");
  CHECK(d.pd.event_action == "trigger");
  REQUIRE(d.alerts.size() == 1);
  const Alert& a = d.alerts[0];
  CHECK(a.labels == LabelSet{{"alertname", "cpu"},
                             {"class", "cpu"},
                             {"component", "mysql"},
                             {"dedup_key", "t42/HighCPU/db1"},
                             {"group", "db"},
                             {"severity", "critical"},
                             {"source", "db1.example.com"}});
  CHECK(a.annotations ==
        LabelSet{{"client", "alertgate"},
                 {"client_url", "https://gw/"},
                 {"custom_details",
                  R"({"tenant":"t42","load":[1.5,2e3,-0,true,false,null],"note":"line\nnext é"})"},
                 {"links", R"([{"href":"https://rb/1","text":"runbook"}])"},
                 {"pagerduty_event_action", "trigger"},
                 {"summary", "CPU > 90% on db1"}});
  CHECK(a.starts_at == t("2026-08-20T08:00:00.25Z"));
  CHECK(a.ends_at == TimePoint{});
  CHECK(a.severity_raw == "critical");
  CHECK(a.dedup_key == "t42/HighCPU/db1");
  CHECK(a.source_format == SourceFormat::pagerduty);
}

TEST_CASE("pagerduty: minimal trigger and alertname fallbacks") {
  auto d = decode_pd(
      R"({"routing_key":"rk","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}})");
  REQUIRE(d.alerts.size() == 1);
  CHECK(d.alerts[0].labels ==
        LabelSet{{"alertname", "pagerduty"}, {"severity", "info"}, {"source", "h"}});
  CHECK(d.alerts[0].annotations ==
        LabelSet{{"pagerduty_event_action", "trigger"}, {"summary", "s"}});
  CHECK(d.alerts[0].dedup_key.empty());
  CHECK(d.pd.dedup_key.empty());

  d = decode_pd(
      R"({"routing_key":"rk","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"error","component":"nginx"}})");
  REQUIRE(d.alerts.size() == 1);
  CHECK(label(d.alerts[0].labels, "alertname") == "nginx");
}

TEST_CASE("pagerduty: acknowledge and resolve") {
  auto d = decode_pd(R"({"routing_key":"rk","event_action":"acknowledge","dedup_key":"k1"})");
  REQUIRE(d.alerts.size() == 1);
  CHECK(d.alerts[0].labels == LabelSet{{"alertname", "pagerduty"}, {"dedup_key", "k1"}});
  CHECK(d.alerts[0].annotations == LabelSet{{"pagerduty_event_action", "acknowledge"}});
  CHECK(d.alerts[0].ends_at == TimePoint{});
  CHECK(d.alerts[0].dedup_key == "k1");
  CHECK(d.pd.event_action == "acknowledge");

  d = decode_pd(R"({"event_action":"resolve","dedup_key":"k1","routing_key":"rk"})");
  REQUIRE(d.alerts.size() == 1);
  CHECK(d.alerts[0].ends_at == kNow);
  CHECK(d.alerts[0].labels == LabelSet{{"alertname", "pagerduty"}, {"dedup_key", "k1"}});

  std::string body = R"({"routing_key":"rk","event_action":"resolve"})";
  d = decode_pd(body);
  CHECK(d.alerts.empty());
  CHECK(d.pd.report.rejected == 1);
  check_single_error(d.pd.report, 0, pos(body, R"("resolve")"),
                     "dedup_key: required for acknowledge and resolve");
}

TEST_CASE("pagerduty: routing key is returned even when the event is invalid") {
  std::string body = R"({"routing_key":"secret-key","event_action":"explode","dedup_key":"d"})";
  auto d = decode_pd(body);
  CHECK(d.alerts.empty());
  CHECK(d.pd.routing_key == "secret-key");
  CHECK(d.pd.event_action == "explode");
  CHECK(d.pd.dedup_key == "d");
  CHECK(d.pd.report.accepted == 0);
  CHECK(d.pd.report.rejected == 1);
  CHECK_FALSE(d.pd.report.body_error);
  check_single_error(d.pd.report, 0, pos(body, R"("explode")"),
                     R"(event_action: must be trigger, acknowledge or resolve, got "explode")");

  // Even after a syntax error later in the event.
  body = R"({"routing_key":"rk2","event_action":"trigger" "payload":{}})";
  d = decode_pd(body);
  CHECK(d.pd.routing_key == "rk2");
  check_body_error(d.pd.report, pos(body, R"("payload")"), "invalid JSON");
}

TEST_CASE("pagerduty: every problem of the event is reported") {
  std::string body = R"({"event_action":"trigger","payload":{"summary":"","severity":"CRITICAL"}})";
  auto d = decode_pd(body);
  CHECK(d.alerts.empty());
  CHECK(d.pd.report.rejected == 1);
  const auto& e = d.pd.report.errors;
  REQUIRE(e.size() == 4);
  CHECK(e[0].message == "payload.summary: must not be empty");
  CHECK(e[0].offset == pos(body, R"("")"));
  CHECK(e[1].message ==
        R"(payload.severity: must be critical, error, warning or info, got "CRITICAL")");
  CHECK(e[1].offset == pos(body, R"("CRITICAL")"));
  CHECK(e[2].message == "routing_key: required");
  CHECK(e[2].offset == 0);
  CHECK(e[3].message == "payload.source: required");
  CHECK(e[3].offset == pos(body, R"({"summary")"));
  for (const auto& err : e) CHECK(err.index == 0);

  body = R"({"routing_key":"rk","event_action":"trigger"})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, 0, "payload: required for trigger");

  body = R"({"routing_key":"rk"})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, 0, "event_action: required");

  body =
      R"({"routing_key":"","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, 0, "routing_key: must not be empty");

  body =
      R"({"routing_key":7,"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, "7"),
                     "routing_key: expected a string, got a number");
}

TEST_CASE("pagerduty: field checks") {
  const std::string head = R"({"routing_key":"rk","event_action":"trigger",)";
  const std::string good_payload = R"("payload":{"summary":"s","source":"h","severity":"warning"})";

  // summary: at most 1024 characters (not bytes).
  std::string summary;
  for (int i = 0; i < 1024; ++i) summary += "\xC3\xA9";  // 1024 chars, 2048 bytes
  auto d = decode_pd(head + R"("payload":{"summary":")" + summary +
                     R"(","source":"h","severity":"warning"}})");
  CHECK(d.pd.report.errors.empty());
  CHECK(d.alerts.size() == 1);
  std::string body =
      head + R"("payload":{"summary":")" + summary + R"(x","source":"h","severity":"warning"}})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, "\"\xC3\xA9"),
                     "payload.summary: too long (1025 characters, max 1024)");

  // dedup_key at most 255 bytes.
  body = head + R"("dedup_key":")" + std::string(256, 'd') + "\"," + good_payload + "}";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, "\"ddd"),
                     "dedup_key: too long (256 bytes, max 255)");

  body =
      head + R"("payload":{"summary":"s","source":"h","severity":"info","timestamp":"yesterday"}})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, R"("yesterday")"),
                     R"(payload.timestamp: invalid RFC 3339 time "yesterday")");

  body = head + R"("payload":{"summary":"s","source":"h","severity":"info","component":["x"]}})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, R"(["x"])"),
                     "payload.component: expected a string, got an array");

  body = head + good_payload + R"(,"images":"not-an-array"})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, R"("not-an-array")"),
                     "images: expected an array, got a string");

  body = head + good_payload + R"(,"payload":{}})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, R"("payload":{})"), R"(duplicate field "payload")");

  body = head + R"("payload":{"summary":"s","source":"h","source":"i","severity":"info"}})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, R"("source":"i")"),
                     "payload.source: duplicate field");

  body = head + R"("payload":"text"})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, R"("text")"),
                     "payload: expected an object, got a string");
}

TEST_CASE("pagerduty: custom_details is kept as minified JSON") {
  const std::string head =
      R"({"routing_key":"rk","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","custom_details":)";
  auto details = [&](const std::string& json) {
    auto d = decode_pd(head + json + "}}");
    INFO(json);
    REQUIRE(d.pd.report.errors.empty());
    REQUIRE(d.alerts.size() == 1);
    return label(d.alerts[0].annotations, "custom_details");
  };
  CHECK(details(R"("just text")") == R"("just text")");
  CHECK(details("123456789012345678901234567890") == "123456789012345678901234567890");
  CHECK(details("1e999") == "1e999");
  CHECK(details(" { } ") == "{}");
  CHECK(details("[ ]") == "[]");
  CHECK(details("null") == "<none>");
  CHECK(details(R"({"emoji":"🔥","esc":"\ud83d\ude00\/\u0001"})") ==
        "{\"emoji\":\"\xF0\x9F\x94\xA5\",\"esc\":\"\xF0\x9F\x98\x80/\\u0001\"}");

  // Too deep, lone surrogate, malformed scalars.
  std::string deep = std::string(100, '[') + std::string(100, ']');
  std::string body = head + deep + "}}";
  auto d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, "[") + 64,
                     "payload.custom_details: nested deeper than 64 levels");

  body = head + R"({"a":"\udc00"}}})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, R"("\udc00")"),
                     "payload.custom_details: invalid string");

  body = head + R"([{"ok":1,"\udc00":2}]}})";
  d = decode_pd(body);
  check_single_error(d.pd.report, 0, pos(body, R"("\udc00")"),
                     "payload.custom_details: invalid name");

  body = head + R"({"a":tru}}})";
  d = decode_pd(body);
  check_body_error(d.pd.report, pos(body, "tru"), "invalid JSON");

  body = head + R"({"a":01}}})";
  d = decode_pd(body);
  check_body_error(d.pd.report, pos(body, "01"), "invalid JSON (malformed number)");

  DecodeLimits limits;
  limits.max_annotation_value_bytes = 10;
  body = head + R"({"a":"0123456789"}}})";
  d = decode_pd(body, limits);
  check_single_error(d.pd.report, 0, pos(body, R"({"a")"), "payload.custom_details: too large");
}

TEST_CASE("pagerduty: body level errors") {
  auto d = decode_pd("");
  check_body_error(d.pd.report, 0, "empty body");
  CHECK(d.pd.routing_key.empty());
  check_body_error(decode_pd(" \r\n").pd.report, 0, "empty body");
  check_body_error(decode_pd(R"([{"routing_key":"rk"}])").pd.report, 0,
                   "expected a JSON object (one PagerDuty event)");
  check_body_error(decode_pd(R"({"routing_key":"rk")").pd.report, 19, "truncated");
  std::string body = "{\"routing_key\":\"r\x80\"}";
  check_body_error(decode_pd(body).pd.report, body.find('\x80'), "invalid UTF-8");

  body = std::string(kFull) + " {}";
  d = decode_pd(body);
  CHECK(d.alerts.empty());
  check_body_error(d.pd.report, body.size() - 2, "unexpected content after the JSON value");
  CHECK(d.pd.routing_key == "R0123456789abcdef0123456789abcde");  // still usable to authenticate
}
