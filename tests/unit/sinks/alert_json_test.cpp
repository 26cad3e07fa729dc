#include <catch2/catch.hpp>

#include "alertgate/alert_json.hpp"
#include "alertgate/rating.hpp"

using namespace alertgate;

TEST_CASE("alert_json: enriched alert has every field of the format", "[sinks]") {
  Alert a;
  a.alert_id = "01J0000000000000000000000A";
  a.tenant_id = "t-1024";
  a.fingerprint = 0xc1f2e3d4a5b6c7d8ULL;
  a.status = AlertStatus::firing;
  a.severity = Severity::critical;
  a.rating = 92;
  a.labels = {{"alertname", "HighCPU"}, {"msg", "quote\" \xF0\x9F\x94\xA5 \x01"}};
  a.annotations = {{"summary", "CPU > 90%"}};
  a.starts_at = parse_rfc3339("2026-08-20T10:00:00Z").value;
  a.ends_at = parse_rfc3339("2026-08-20T10:04:00.5Z").value;
  a.received_at = parse_rfc3339("2026-08-20T10:00:01.123Z").value;
  a.source_format = SourceFormat::alertmanager_v2;
  a.trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  std::string out;
  append_alert_json(out, a);
  CHECK(out ==
        R"({"alert_id":"01J0000000000000000000000A","tenant_id":"t-1024",)"
        R"("fingerprint":"c1f2e3d4a5b6c7d8","status":"firing","severity":"critical","rating":92,)"
        R"("labels":{"alertname":"HighCPU","msg":"quote\" )"
        "\xF0\x9F\x94\xA5"
        R"( \u0001"},"annotations":{"summary":"CPU > 90%"},)"
        R"("startsAt":"2026-08-20T10:00:00Z","endsAt":"2026-08-20T10:04:00.5Z",)"
        R"("received_at":"2026-08-20T10:00:01.123Z","source_format":"alertmanager_v2",)"
        R"("traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})");
}
