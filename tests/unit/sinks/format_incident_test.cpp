// PagerDuty and Opsgenie: the incident formats (stable keys, trigger/close, limits).
#include "format_test_util.hpp"

using namespace format_test;

namespace {

Alert db_alert() {
  return alert({{"alertname", "HighCPU"},
                {"instance", "db1:9100"},
                {"job", "node"},
                {"service", "mysql"},
                {"team", "db"}},
               {{"summary", "CPU > 90%"}}, 92);
}

}  // namespace

TEST_CASE("format: pagerduty trigger and resolve", "[sinks]") {
  Destination d = destination(DestinationType::pagerduty);
  d.routing_key = "R0123456789abcdef0123456789abcde";
  const Notification n = notification({db_alert()});
  const HttpRequestSpec spec = format_pagerduty(n, d, context());
  CHECK(spec.url == "https://events.pagerduty.com/v2/enqueue");
  CHECK(header(spec, "Content-Type") == "application/json");
  CHECK(
      spec.body ==
      R"({"routing_key":"R0123456789abcdef0123456789abcde","event_action":"trigger",)"
      R"("dedup_key":"t42-fedcba9876543210","payload":{"summary":"[FIRING:1] HighCPU: CPU > 90%",)"
      R"("source":"db1:9100","severity":"critical","timestamp":"2026-08-20T09:55:00Z",)"
      R"("component":"mysql","group":"node","class":"HighCPU","custom_details":{"tenant":"t42",)"
      R"("rating":92,"firing":1,"resolved":0,"labels":{"alertname":"HighCPU",)"
      R"("instance":"db1:9100","job":"node","service":"mysql","team":"db"}}},)"
      R"("client":"alertgate","client_url":"https://gw.example.com",)"
      R"("links":[{"href":"http://prom:9090/graph?g0.expr=up","text":"Source"}]})");

  Alert resolved = db_alert();
  resolved.status = AlertStatus::resolved;
  d.routing_key.clear();
  d.service_key = "S-key";
  d.url = "https://pd.local/v2/enqueue";
  const HttpRequestSpec r = format_pagerduty(notification({resolved}), d, context());
  CHECK(r.url == "https://pd.local/v2/enqueue");
  CHECK(r.body ==
        R"({"routing_key":"S-key","event_action":"resolve","dedup_key":"t42-fedcba9876543210"})");
}

TEST_CASE("format: pagerduty summary is cut to 1024 characters, minimal labels", "[sinks]") {
  Destination d = destination(DestinationType::pagerduty);
  d.routing_key = "R";
  std::string summary;
  for (int i = 0; i < 600; ++i) summary += "\xE2\x82\xAC\"";  // €"
  Alert a = alert({{"alertname", "X"}}, {{"summary", summary}}, 10);
  a.generator_url.clear();
  a.severity = Severity::info;
  a.starts_at = {};
  FormatContext ctx = context();
  ctx.external_url = "";
  const std::string body = format_pagerduty(notification({a}, {}), d, ctx).body;
  // "[FIRING:1] X: " is 14 characters; 1009 more (504 pairs + one €), then "…".
  std::string expected = "[FIRING:1] X: ";
  for (int i = 0; i < 504; ++i) expected += "\xE2\x82\xAC\\\"";
  expected += "\xE2\x82\xAC\xE2\x80\xA6";
  CHECK(body ==
        R"({"routing_key":"R","event_action":"trigger","dedup_key":"t42-fedcba9876543210",)"
        R"("payload":{"summary":")" +
            expected +
            R"(","source":"alertgate","severity":"info","timestamp":"2026-08-20T10:00:00Z",)"
            R"("class":"X","custom_details":{"tenant":"t42","rating":10,"firing":1,)"
            R"("resolved":0,"labels":{"alertname":"X"}}},"client":"alertgate"})");
}

TEST_CASE("format: opsgenie create", "[sinks]") {
  Destination d = destination(DestinationType::opsgenie);
  d.api_key = "genie-key";
  Alert low = db_alert();
  low.rating = 30;
  low.labels[1].value = "db2:9100";
  const Notification n = notification({db_alert(), low});
  const HttpRequestSpec spec = format_opsgenie(n, d, context());
  CHECK(spec.url == "https://api.opsgenie.com/v2/alerts");
  CHECK(header(spec, "Authorization") == "GenieKey genie-key");
  CHECK(header(spec, "Content-Type") == "application/json");
  CHECK(spec.body ==
        R"({"message":"HighCPU: CPU > 90%","alias":"t42-fedcba9876543210",)"
        R"("description":"[firing] HighCPU (severity critical, rating 92)\nCPU > 90%\n)"
        R"(  alertname=HighCPU\n  instance=db1:9100\n  job=node\n  service=mysql\n  team=db\n)"
        R"(  http://prom:9090/graph?g0.expr=up\n)"
        R"([firing] HighCPU (severity critical, rating 30)\nCPU > 90%\n)"
        R"(  alertname=HighCPU\n  instance=db2:9100\n  job=node\n  service=mysql\n  team=db\n)"
        R"(  http://prom:9090/graph?g0.expr=up\n",)"
        R"("tags":["t42","critical"],"details":{"tenant":"t42","rating":"92","firing":"2",)"
        R"("resolved":"0","alertname":"HighCPU","job":"node","service":"mysql","team":"db"},)"
        R"("entity":"db1:9100","source":"alertgate","priority":"P1"})");
}

TEST_CASE("format: opsgenie priority from rating, message limit, close by alias", "[sinks]") {
  Destination d = destination(DestinationType::opsgenie);
  d.api_key = "k";
  d.url = "https://api.eu.opsgenie.com/";
  const std::pair<int, std::string_view> cases[] = {{100, "P1"}, {90, "P1"}, {89, "P2"}, {70, "P2"},
                                                    {69, "P3"},  {50, "P3"}, {49, "P4"}, {25, "P4"},
                                                    {24, "P5"},  {0, "P5"}};
  for (const auto& [rating, priority] : cases) {
    const Notification n = notification({alert({{"alertname", "A"}}, {}, rating)});
    const std::string body = format_opsgenie(n, d, context()).body;
    CHECK(body.ends_with(R"("priority":")" + std::string(priority) + "\"}"));
  }

  d.title = tmpl("{{ .annotations.summary }}");
  const Notification long_msg =
      notification({alert({{"alertname", "A"}}, {{"summary", std::string(200, 'm')}}, 50)});
  const HttpRequestSpec created = format_opsgenie(long_msg, d, context());
  CHECK(created.url == "https://api.eu.opsgenie.com/v2/alerts");
  CHECK(created.body.starts_with(R"({"message":")" + std::string(129, 'm') + "\xE2\x80\xA6\","));

  FormatContext ctx = context();
  ctx.tenant_id = "t 42/x";  // not a valid tenant id, but the alias must stay one path segment
  const Notification resolved =
      notification({alert({{"alertname", "A"}}, {}, 50, AlertStatus::resolved)});
  const HttpRequestSpec close = format_opsgenie(resolved, d, ctx);
  CHECK(close.url ==
        "https://api.eu.opsgenie.com/v2/alerts/t%2042%2Fx-fedcba9876543210/"
        "close?identifierType=alias");
  CHECK(close.body == R"({"source":"alertgate","note":"resolved"})");
  CHECK(header(close, "Authorization") == "GenieKey k");

  d.send_resolved = false;
  CHECK_FALSE(has_content(format_opsgenie(resolved, d, ctx)));
  CHECK_FALSE(has_content(format_pagerduty(resolved, d, ctx)));
}
