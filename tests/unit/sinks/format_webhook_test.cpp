#include "format_test_util.hpp"

using namespace format_test;

namespace {

HttpRequestSpec webhook(const std::vector<const Notification*>& batch, const Destination& d) {
  return format_webhook(batch, d, context());
}

constexpr std::string_view kHighCpuDb1 =
    R"({"status":"firing","labels":{"alertname":"HighCPU","instance":"db1","severity":"critical"},)"
    R"("annotations":{"summary":"CPU > 90%"},"startsAt":"2026-08-20T09:55:00Z",)"
    R"("endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom:9090/graph?g0.expr=up",)"
    R"("fingerprint":"c1f2e3d4a5b6c7d8","rating":92})";

}  // namespace

TEST_CASE("format: webhook is Alertmanager webhook v4 plus tenant_id and rating", "[sinks]") {
  Destination d = destination(DestinationType::webhook);
  d.url = "https://hooks.example.com/am";
  const Notification n = notification({high_cpu()});
  const HttpRequestSpec spec = webhook({&n}, d);
  CHECK(spec.url == "https://hooks.example.com/am");
  CHECK(spec.headers ==
        std::vector<std::pair<std::string, std::string>>{{"Content-Type", "application/json"}});
  CHECK(spec.body ==
        R"({"version":"4","groupKey":"{}/{tenant_id=\"t42\",rule=\"0123456789abcdef\"}:)"
        R"({alertname=\"HighCPU\"}","truncatedAlerts":0,"status":"firing","receiver":"db-pager",)"
        R"("groupLabels":{"alertname":"HighCPU"},)"
        R"("commonLabels":{"alertname":"HighCPU","instance":"db1","severity":"critical"},)"
        R"("commonAnnotations":{"summary":"CPU > 90%"},"externalURL":"https://gw.example.com",)"
        R"("alerts":[)" +
            std::string(kHighCpuDb1) + R"(],"tenant_id":"t42"})");
}

TEST_CASE("format: webhook batch puts firing first and counts what max_alerts cut", "[sinks]") {
  Destination d = destination(DestinationType::webhook, "");
  d.url = "https://hooks.example.com/am";
  d.max_alerts = 2;
  const Notification a =
      notification({high_cpu("db2", 50), high_cpu("db3", 60, AlertStatus::resolved)},
                   {{"alertname", "HighCPU"}, {"team", "db"}});
  const Notification b = notification({high_cpu("db1")});
  const HttpRequestSpec spec = webhook({&a, &b}, d);
  // Alerts: db2 (firing), db1 (firing); the resolved db3 is cut.
  CHECK(spec.body ==
        R"({"version":"4","groupKey":"{}/{tenant_id=\"t42\",rule=\"0123456789abcdef\"}:)"
        R"({alertname=\"HighCPU\", team=\"db\"}","truncatedAlerts":1,"status":"firing",)"
        R"x("receiver":"webhook(https://hooks.example.com/***)",)x"
        R"("groupLabels":{"alertname":"HighCPU","team":"db"},)"
        R"("commonLabels":{"alertname":"HighCPU","severity":"critical"},)"
        R"("commonAnnotations":{"summary":"CPU > 90%"},"externalURL":"https://gw.example.com",)"
        R"("alerts":[{"status":"firing","labels":{"alertname":"HighCPU","instance":"db2",)"
        R"("severity":"critical"},"annotations":{"summary":"CPU > 90%"},)"
        R"("startsAt":"2026-08-20T09:55:00Z","endsAt":"0001-01-01T00:00:00Z",)"
        R"("generatorURL":"http://prom:9090/graph?g0.expr=up","fingerprint":"c1f2e3d4a5b6c7d8",)"
        R"("rating":50},)" +
            std::string(kHighCpuDb1) + R"(],"tenant_id":"t42"})");

  d.max_alerts = 0;
  const HttpRequestSpec all = webhook({&a, &b}, d);
  CHECK(all.body.find(R"("truncatedAlerts":0)") != std::string::npos);
  const auto db1 = all.body.find(R"("instance":"db1")");
  const auto db3 =
      all.body.find(R"("status":"resolved","labels":{"alertname":"HighCPU","instance":"db3")");
  CHECK(db1 < db3);
  CHECK(all.body.find(R"("endsAt":"2026-08-20T10:00:00Z")") != std::string::npos);
}

TEST_CASE("format: webhook send_resolved=false drops resolved alerts, empty when none left",
          "[sinks]") {
  Destination d = destination(DestinationType::webhook);
  d.url = "https://hooks.example.com/am";
  d.send_resolved = false;
  const Notification mixed =
      notification({high_cpu("db1"), high_cpu("db3", 60, AlertStatus::resolved)});
  const HttpRequestSpec spec = webhook({&mixed}, d);
  CHECK(spec.body.find("db3") == std::string::npos);
  CHECK(spec.body.find(R"("truncatedAlerts":0,"status":"firing")") != std::string::npos);

  const Notification resolved = notification({high_cpu("db3", 60, AlertStatus::resolved)});
  CHECK_FALSE(should_send(resolved, d));
  const HttpRequestSpec none = webhook({&resolved}, d);
  CHECK_FALSE(has_content(none));
  CHECK(none.url.empty());
  CHECK(none.headers.empty());
  CHECK(webhook({}, d).body.empty());

  d.send_resolved = true;
  CHECK(should_send(resolved, d));
  const HttpRequestSpec sent = webhook({&resolved}, d);
  CHECK(sent.body.find(R"("status":"resolved","receiver")") != std::string::npos);
}

TEST_CASE("format: webhook signs the body with HMAC-SHA256 (known vector)", "[sinks]") {
  Destination d = destination(DestinationType::webhook);
  d.url = "https://hooks.example.com/am";
  d.secret = "topsecret";
  const Notification n = notification({high_cpu()});
  const HttpRequestSpec spec = webhook({&n}, d);
  REQUIRE(spec.body.size() == 681);  // the body of the first webhook test
  // python3 -c 'import hmac,hashlib,sys; print(hmac.new(b"topsecret",
  //   b"1787220000."+body, hashlib.sha256).hexdigest())' over the body of the first test.
  CHECK(header(spec, "X-Alertgate-Signature") ==
        "t=1787220000,v1=c251283e4185b240ce85600f2a68ecf0d14e973ede09f8aee2092959e14f5546");
}

TEST_CASE("format: webhook JSON escapes quotes, control characters and invalid UTF-8", "[sinks]") {
  Destination d = destination(DestinationType::webhook, "q\"r");
  d.url = "https://hooks.example.com/am";
  const Notification n = notification({alert({{"alertname", "A\"b\\c"},
                                              {"msg", "tab\there\x01\x1f\x7f nl\n"},
                                              {"emoji", "fire \xF0\x9F\x94\xA5"},
                                              {"bad", "x\xC3\x28y\xFFz\xE2\x82"}})},
                                      {{"alertname", "A\"b\\c"}});
  const std::string& body = format_webhook(std::vector<const Notification*>{&n}, d, context()).body;
  CHECK(body.find(R"("receiver":"q\"r")") != std::string::npos);
  // Go-quoted inside groupKey, then JSON-escaped.
  CHECK(body.find(R"(:{alertname=\"A\\\"b\\\\c\"}")") != std::string::npos);
  CHECK(body.find(R"("alertname":"A\"b\\c")") != std::string::npos);
  CHECK(body.find(R"("msg":"tab\there\u0001\u001f\u007f nl\n")") != std::string::npos);
  CHECK(body.find("\"emoji\":\"fire \xF0\x9F\x94\xA5\"") != std::string::npos);
  CHECK(body.find("\"bad\":\"x\xEF\xBF\xBD(y\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBD\"") !=
        std::string::npos);
}
