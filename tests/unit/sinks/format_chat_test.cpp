// Slack and Telegram: the chat formats (markup escaping, length limits).
#include "format_test_util.hpp"

using namespace format_test;

TEST_CASE("format: slack default text and blocks", "[sinks]") {
  Destination d = destination(DestinationType::slack);
  d.webhook = "https://hooks.slack.com/services/T/B/X";
  const Notification n = notification({high_cpu()});
  const HttpRequestSpec spec = format_slack(n, d, context());
  CHECK(spec.url == "https://hooks.slack.com/services/T/B/X");
  CHECK(header(spec, "Content-Type") == "application/json");
  CHECK(
      spec.body ==
      R"({"text":"[FIRING:1] HighCPU","blocks":[{"type":"section","text":{"type":"mrkdwn",)"
      R"("text":"*Severity:* critical  *Rating:* 92  *Alerts:* 1 firing, 0 resolved\n)"
      R"(*Summary:* CPU &gt; 90%\n*Labels:* alertname=HighCPU, instance=db1, severity=critical"}},)"
      R"({"type":"context","elements":[{"type":"mrkdwn",)"
      R"("text":"<http://prom:9090/graph?g0.expr=up|Source>"}]}]})");
}

TEST_CASE("format: slack templates escape values, not the tenant's mrkdwn", "[sinks]") {
  Destination d = destination(DestinationType::slack);
  d.webhook = "https://hooks.slack.com/services/T/B/X";
  d.title = tmpl("{{ .status }}: {{ .labels.alertname }}");
  d.text =
      tmpl("*{{ .annotations.summary }}* on <{{ .alert.generator_url }}|{{ .labels.instance }}>");
  Alert a = high_cpu("<db1&\"x\">");
  a.generator_url = "http://p/?a=1&b=|";
  const Notification n = notification({a, high_cpu("db2", 10, AlertStatus::resolved)});
  const HttpRequestSpec spec = format_slack(n, d, context());
  CHECK(spec.body ==
        R"({"text":"firing: HighCPU","blocks":[{"type":"section","text":{"type":"mrkdwn",)"
        R"("text":"*CPU &gt; 90%* on <http://p/?a=1&amp;b=||>"}},)"
        R"({"type":"context","elements":[{"type":"mrkdwn",)"
        R"("text":"<http://p/?a=1&amp;b=%7C|Source>"}]}]})");

  // send_resolved=false with only resolved alerts: nothing to send.
  d.send_resolved = false;
  CHECK_FALSE(has_content(
      format_slack(notification({high_cpu("db2", 10, AlertStatus::resolved)}), d, context())));
}

TEST_CASE("format: slack cuts long text at 3000 characters on a UTF-8 boundary", "[sinks]") {
  Destination d = destination(DestinationType::slack);
  d.webhook = "https://hooks.slack.com/services/T/B/X";
  d.text = tmpl("{{ .annotations.summary }}");
  std::string summary;
  for (int i = 0; i < 2000; ++i) summary += "\xC3\xA9\xF0\x9F\x94\xA5";  // é🔥
  const Notification n = notification({alert({{"alertname", "Long"}}, {{"summary", summary}}, 50)});
  const std::string body = format_slack(n, d, context()).body;
  const std::string expected_text = [&] {
    std::string s;
    for (int i = 0; i < 1499; ++i) s += "\xC3\xA9\xF0\x9F\x94\xA5";
    return s + "\xC3\xA9\xE2\x80\xA6";  // 2999 characters + "…"
  }();
  CHECK(body.find("\"text\":\"" + expected_text + "\"}}") != std::string::npos);
}

TEST_CASE("format: telegram default message", "[sinks]") {
  Destination d = destination(DestinationType::telegram);
  d.bot_token = "123:ABC";
  d.chat_id = "-1001234567890";
  const Notification n = notification({high_cpu("db1"), high_cpu("db2", 95)});
  const HttpRequestSpec spec = format_telegram(n, d, context());
  CHECK(spec.url == "https://api.telegram.org/bot123:ABC/sendMessage");
  CHECK(header(spec, "Content-Type") == "application/json");
  CHECK(spec.body ==
        R"({"chat_id":-1001234567890,"text":"<b>FIRING</b> HighCPU\nAlerts: 2 firing, 0 resolved)"
        R"(\nSeverity: critical\nRating: 95\nSummary: CPU &gt; 90%","parse_mode":"HTML",)"
        R"("disable_notification":false})");

  d.chat_id = "@ops_channel";
  d.api_url = "http://tg.local:8081/";
  d.disable_notification = true;
  const Notification r = notification({high_cpu("db1", 92, AlertStatus::resolved)});
  const HttpRequestSpec resolved = format_telegram(r, d, context());
  CHECK(resolved.url == "http://tg.local:8081/bot123:ABC/sendMessage");
  CHECK(resolved.body ==
        R"({"chat_id":"@ops_channel","text":"<b>RESOLVED</b> HighCPU\nSeverity: critical\n)"
        R"(Rating: 92\nSummary: CPU &gt; 90%","parse_mode":"HTML","disable_notification":true})");
  d.chat_id = "0123";  // not a JSON number
  CHECK(format_telegram(r, d, context()).body.starts_with(R"({"chat_id":"0123",)"));
}

TEST_CASE("format: telegram escapes HTML in values and cuts at 4096 UTF-16 units", "[sinks]") {
  Destination d = destination(DestinationType::telegram);
  d.bot_token = "123:ABC";
  d.chat_id = "42";
  d.text = tmpl("<b>{{ .labels.alertname }}</b> <i>{{ .annotations.summary }}</i>");
  const Notification n =
      notification({alert({{"alertname", "A<b>&\"c\x01"}}, {{"summary", "s"}}, 50)});
  CHECK(format_telegram(n, d, context()).body ==
        R"({"chat_id":42,"text":"<b>A&lt;b&gt;&amp;&quot;c\u0001</b> <i>s</i>",)"
        R"("parse_mode":"HTML","disable_notification":false})");

  // 4000 ASCII + emoji (2 units each): the cut lands inside <i>, which is closed again.
  std::string summary(4000, 'x');
  for (int i = 0; i < 100; ++i) summary += "\xF0\x9F\x94\xA5";
  const Notification big = notification({alert({{"alertname", "A"}}, {{"summary", summary}}, 50)});
  const std::string body = format_telegram(big, d, context()).body;
  // "<b>A</b> <i>" is 12 units, 4000 x, then 41 emoji (82 units) = 4094, + "…" = 4095.
  std::string expected = "<b>A</b> <i>" + std::string(4000, 'x');
  for (int i = 0; i < 41; ++i) expected += "\xF0\x9F\x94\xA5";
  expected += "\xE2\x80\xA6</i>";
  CHECK(body == R"({"chat_id":42,"text":")" + expected +
                    R"(","parse_mode":"HTML","disable_notification":false})");
}

TEST_CASE("format: telegram never cuts inside a tag or an entity", "[sinks]") {
  Destination d = destination(DestinationType::telegram);
  d.bot_token = "t";
  d.chat_id = "1";
  d.text = tmpl(std::string(4088, 'y') + "{{ .labels.alertname }}<b>bold</b>");
  const Notification n = notification({alert({{"alertname", "&&"}})});
  // 4088 y + "&amp;&amp;": the limit (4095 before "…") falls inside the second entity.
  CHECK(format_telegram(n, d, context()).body ==
        R"({"chat_id":1,"text":")" + std::string(4088, 'y') +
            "&amp;\xE2\x80\xA6"
            R"(","parse_mode":"HTML","disable_notification":false})");
}
