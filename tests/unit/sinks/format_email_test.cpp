#include "format_test_util.hpp"

using namespace format_test;

namespace {

void check_wire_rules(const std::string& m) {
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n') REQUIRE((i > 0 && m[i - 1] == '\r'));  // no bare LF
    if (m[i] == '\r') REQUIRE((i + 1 < m.size() && m[i + 1] == '\n'));
  }
  std::size_t start = 0;
  for (std::size_t p = m.find("\r\n"); p != std::string::npos; p = m.find("\r\n", start)) {
    REQUIRE(p - start <= 998);
    start = p + 2;
  }
}

}  // namespace

TEST_CASE("format: email is RFC 5322 multipart/alternative, quoted-printable", "[sinks]") {
  Destination d = destination(DestinationType::email);
  d.address = "ops-team@example.com";
  const Notification n = notification({high_cpu()});
  const MailSpec mail = format_email(n, d, context());
  CHECK(mail.from == "alertgate@example.com");
  CHECK(mail.to == std::vector<std::string>{"ops-team@example.com"});
  const std::string b = "=_alertgate_fedcba9876543210_1787220000000000000";
  const std::string plain =
      "[FIRING:1] HighCPU\r\n"
      "Tenant: t42\r\n"
      "\r\n"
      "[firing] HighCPU (severity critical, rating 92)\r\n"
      "Summary: CPU > 90%\r\n"
      "Labels: alertname=3DHighCPU instance=3Ddb1 severity=3Dcritical\r\n"
      "Started: 2026-08-20T09:55:00Z\r\n"
      "Source: http://prom:9090/graph?g0.expr=3Dup\r\n"
      "\r\n"
      "https://gw.example.com\r\n";
  const std::string html =
      "<!DOCTYPE html>\r\n"
      "<html><head><meta charset=3D\"utf-8\"></head><body>\r\n"
      "<h2>[FIRING:1] HighCPU</h2>\r\n"
      "<pre>[FIRING:1] HighCPU\r\n"
      "Tenant: t42\r\n"
      "\r\n"
      "[firing] HighCPU (severity critical, rating 92)\r\n"
      "Summary: CPU &gt; 90%\r\n"
      "Labels: alertname=3DHighCPU instance=3Ddb1 severity=3Dcritical\r\n"
      "Started: 2026-08-20T09:55:00Z\r\n"
      "Source: http://prom:9090/graph?g0.expr=3Dup\r\n"
      "\r\n"
      "https://gw.example.com\r\n"
      "</pre>\r\n"
      "</body></html>\r\n";
  CHECK(mail.message ==
        "From: alertgate@example.com\r\n"
        "To: ops-team@example.com\r\n"
        "Subject: [FIRING:1] HighCPU\r\n"
        "Date: Thu, 20 Aug 2026 10:00:00 +0000\r\n"
        "Message-ID: <alertgate.t42.fedcba9876543210.1787220000000000000@alertgate>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/alternative; boundary=\"" +
            b + "\"\r\n\r\n--" + b +
            "\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
            plain + "--" + b +
            "\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
            html + "--" + b + "--\r\n");
  check_wire_rules(mail.message);
}

TEST_CASE("format: email non-ASCII subject, header injection, soft line breaks", "[sinks]") {
  Destination d = destination(DestinationType::email);
  d.address = "ops@example.com\r\nBcc: evil@example.com";
  d.title = tmpl("{{ .labels.alertname }}");
  d.text = tmpl("{{ .annotations.summary }}\n{{ .labels.alertname }}");
  const Notification n =
      notification({alert({{"alertname",
                            "Disk voll \xF0\x9F\x94\xA5 \xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC"
                            "\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC "
                            "end\r\nX-Injected: 1"}},
                          {{"summary", std::string(80, 'a') + "= \t"}}, 50)},
                   {});
  const MailSpec mail = format_email(n, d, context());
  const std::string& m = mail.message;
  CHECK(mail.to.front() == "ops@example.com  Bcc: evil@example.com");
  const std::string headers = m.substr(0, m.find("\r\n\r\n") + 2);
  CHECK(headers.find("\r\nBcc:") == std::string::npos);
  CHECK(headers.find("\r\nX-Injected") == std::string::npos);
  // python3 -c 'import base64;print(base64.b64encode(...))' on 45-byte whole-character chunks
  // of "Disk voll 🔥 üüüüüüüüüüüüü end  X-Injected: 1".
  CHECK(
      m.find("Subject: =?UTF-8?B?RGlzayB2b2xsIPCflKUgw7zDvMO8w7zDvMO8w7zDvMO8w7zDvMO8w7wgZW5k?=\r\n"
             " =?UTF-8?B?ICBYLUluamVjdGVkOiAx?=\r\n") != std::string::npos);
  // 80 a + "= \t": soft break after 75 characters; '=' and the trailing tab encoded.
  CHECK(m.find("\r\n\r\n" + std::string(75, 'a') + "=\r\naaaaa=3D =09\r\nDisk voll =F0=9F=94=A5") !=
        std::string::npos);
  check_wire_rules(m);

  d.send_resolved = false;
  const Notification resolved = notification({high_cpu("db1", 50, AlertStatus::resolved)});
  CHECK_FALSE(has_content(format_email(resolved, d, context())));
}
