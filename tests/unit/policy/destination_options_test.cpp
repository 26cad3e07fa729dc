// The delivery settings and templates of destinations (destination_options.cpp).
#include <catch2/catch.hpp>
#include <string>

#include "policy_test_util.hpp"

namespace alertgate {
namespace {

using policy_test::errors_of;
using policy_test::load;
using policy_test::tenant;
using std::chrono::milliseconds;

// The tenant file whose only rule has the one destination given as a flow-map body; the
// body starts at line 3, column 21.
std::string one_dest(const std::string& body) {
  return tenant("rules:\n  - destinations: [{" + body + "}]\n");
}

std::string dest_errors(const std::string& body) { return errors_of(one_dest(body)); }

// "3:<col>: " of the first occurrence of `needle` in `body`.
std::string at(const std::string& body, const std::string& needle) {
  const auto i = body.find(needle);
  REQUIRE(i != std::string::npos);
  return "3:" + std::to_string(21 + i) + ": ";
}

Destination dest(const std::string& body) {
  auto r = load(one_dest(body));
  INFO(errors_of(one_dest(body)));
  REQUIRE(r.ok());
  return r->rules.at(0).destinations.at(0);
}

const std::string kSlack = "type: slack, webhook: 'https://hooks.slack.com/services/A/B/C', ";
const std::string kHook = "type: webhook, url: 'https://example.com/hook', ";

}  // namespace

TEST_CASE("policy: default_delivery of every type") {
  const auto slack = default_delivery(DestinationType::slack);
  CHECK(slack.rate == 1);
  CHECK(slack.burst == 3);
  const auto pd = default_delivery(DestinationType::pagerduty);
  CHECK(pd.rate == 2);
  CHECK(pd.burst == 10);
  const auto tg = default_delivery(DestinationType::telegram);
  CHECK(tg.rate == 1);
  CHECK(tg.burst == 1);
  const auto og = default_delivery(DestinationType::opsgenie);
  CHECK(og.rate == 10);
  CHECK(og.burst == 10);
  for (auto t : {DestinationType::webhook, DestinationType::email, DestinationType::kafka,
                 DestinationType::log}) {
    CHECK(default_delivery(t).rate == 0);  // unlimited
  }
  for (auto t : {DestinationType::webhook, DestinationType::slack, DestinationType::pagerduty,
                 DestinationType::opsgenie, DestinationType::telegram, DestinationType::email,
                 DestinationType::kafka}) {
    const auto d = default_delivery(t);
    CHECK(d.connect_timeout == milliseconds(3000));
    CHECK(d.timeout == milliseconds(10000));
    CHECK(d.retry_base == milliseconds(1000));
    CHECK(d.retry_cap == milliseconds(60000));
    CHECK(d.max_attempts == 10);
    CHECK(d.breaker_failures == 5);
    CHECK(d.breaker_cool_down == milliseconds(30000));
    CHECK(d.max_in_flight == 4);
  }
}

TEST_CASE("policy: a destination starts from its type's delivery defaults") {
  const Destination s = dest("type: slack, webhook: 'http://x/y'");
  CHECK(s.delivery.rate == 1);
  CHECK(s.delivery.burst == 3);
  CHECK(s.send_resolved);
  CHECK(s.title.empty());
  CHECK(s.text.empty());
  const Destination og = dest("type: opsgenie, api_key: k");
  CHECK(og.delivery.rate == 10);
  const Destination w = dest("type: webhook, url: 'http://x'");
  CHECK(w.delivery.rate == 0);
  CHECK(w.max_alerts == 0);
  CHECK(w.secret.empty());
}

TEST_CASE("policy: destination delivery keys load") {
  const Destination d =
      dest(kSlack +
           "timeout: 30s, connect_timeout: 500ms, retry: {base: 250ms, cap: 2m, max_attempts: 3}, "
           "rate_limit: {rate: 0.5, burst: 7}, breaker: {failures: 2, cool_down: 1m}, "
           "max_in_flight: 16, send_resolved: false");
  CHECK(d.delivery.timeout == milliseconds(30000));
  CHECK(d.delivery.connect_timeout == milliseconds(500));
  CHECK(d.delivery.retry_base == milliseconds(250));
  CHECK(d.delivery.retry_cap == milliseconds(120000));
  CHECK(d.delivery.max_attempts == 3);
  CHECK(d.delivery.rate == 0.5);
  CHECK(d.delivery.burst == 7);
  CHECK(d.delivery.breaker_failures == 2);
  CHECK(d.delivery.breaker_cool_down == milliseconds(60000));
  CHECK(d.delivery.max_in_flight == 16);
  CHECK_FALSE(d.send_resolved);

  // Parts of a map keep the type's defaults for the rest.
  const Destination p = dest(kSlack + "retry: {max_attempts: 1}, rate_limit: {rate: 5}");
  CHECK(p.delivery.retry_base == milliseconds(1000));
  CHECK(p.delivery.retry_cap == milliseconds(60000));
  CHECK(p.delivery.max_attempts == 1);
  CHECK(p.delivery.rate == 5);
  CHECK(p.delivery.burst == 3);

  // A timeout below the default connect_timeout bounds the connect phase too.
  const Destination t = dest(kHook + "timeout: 1s");
  CHECK(t.delivery.timeout == milliseconds(1000));
  CHECK(t.delivery.connect_timeout == milliseconds(1000));

  // Every type but log takes them.
  for (const char* body : {"type: pagerduty, routing_key: r, ", "type: opsgenie, api_key: k, ",
                           "type: telegram, bot_token: t, chat_id: 1, ",
                           "type: email, address: a@b, ", "type: kafka, "}) {
    INFO(body);
    CHECK(
        dest(std::string(body) + "max_in_flight: 1, send_resolved: false").delivery.max_in_flight ==
        1);
  }
}

TEST_CASE("policy: destination delivery bounds are checked") {
  auto check = [](const std::string& body, const std::string& needle, const std::string& msg) {
    INFO(body);
    CHECK(dest_errors(body) == at(body, needle) + msg + "\n");
  };
  check(kHook + "timeout: 50ms", "50ms", "\"timeout\": 50ms is out of range 100ms..5m");
  check(kHook + "timeout: 6m", "6m", "\"timeout\": 6m is out of range 100ms..5m");
  check(kHook + "connect_timeout: 2m", "2m", "\"connect_timeout\": 2m is out of range 100ms..1m");
  check(kHook + "timeout: 1s, connect_timeout: 2s", "2s",
        "\"connect_timeout\": 2s is more than \"timeout\" 1s");
  check(kHook + "retry: {base: 5ms}", "5ms", "\"base\": 5ms is out of range 10ms..1h");
  check(kHook + "retry: {cap: 50ms}", "50ms", "\"cap\": 50ms is out of range 100ms..24h");
  check(kHook + "retry: {max_attempts: 0}", "0}", "\"max_attempts\": 0 is out of range 1..1000");
  check(kHook + "retry: {base: 10s, cap: 5s}", "5s", "\"cap\": 5s is less than \"base\" 10s");
  check(kHook + "retry: {base: 2m}", "2m",
        "\"base\": 2m is more than the default \"cap\" 1m (set \"cap\" too)");
  check(kHook + "retry: {bsae: 1s}", "bsae", "unknown key \"bsae\" (did you mean \"base\"?)");
  check(kHook + "retry: 3", "3", "\"retry\": expected a map, got a number");
  check(kHook + "rate_limit: {rate: 0}", "0}",
        "\"rate\": 0 is out of range (0..10000], requests/s");
  check(kHook + "rate_limit: {rate: 20000}", "20000",
        "\"rate\": 20000 is out of range (0..10000], requests/s");
  check(kHook + "rate_limit: {rate: fast}", "fast",
        "\"rate\": expected a number (requests per second), got \"fast\"");
  check(kHook + "rate_limit: {rate: 1, burst: 0}", "0}", "\"burst\": 0 is out of range 1..10000");
  check(kHook + "rate_limit: {burst: 2}", "{burst", "missing required key \"rate\"");
  check(kHook + "breaker: {failures: 0}", "0}", "\"failures\": 0 is out of range 1..1000");
  check(kHook + "breaker: {cool_down: 500ms}", "500ms",
        "\"cool_down\": 500ms is out of range 1s..1h");
  check(kHook + "breaker: {failure: 3}",
        "failure:", "unknown key \"failure\" (did you mean \"failures\"?)");
  check(kHook + "max_in_flight: 257", "257", "\"max_in_flight\": 257 is out of range 1..256");
  check(kHook + "send_resolved: yes", "yes",
        "\"send_resolved\": expected true or false, got \"yes\"");
  check(kHook + "retyr: {base: 1s}", "retyr", "unknown key \"retyr\" (did you mean \"retry\"?)");
}

TEST_CASE("policy: type-specific destination keys") {
  const Destination w = dest(kHook + "secret: '0123456789abcdef', max_alerts: 100");
  CHECK(w.secret == "0123456789abcdef");
  CHECK(w.max_alerts == 100);
  CHECK(dest("type: kafka, max_alerts: 100000").max_alerts == 100000);
  const Destination s = dest(kSlack + "title: 'T {{ .status }}', text: 'body'");
  CHECK(s.title.source() == "T {{ .status }}");
  CHECK(s.text.source() == "body");
  CHECK(dest("type: opsgenie, api_key: k, title: 'm'").title.source() == "m");
  const Destination tg =
      dest("type: telegram, bot_token: t, chat_id: 1, text: 'x', disable_notification: true");
  CHECK(tg.text.source() == "x");
  CHECK(tg.disable_notification);
  const Destination e = dest("type: email, address: a@b, title: 'subject', text: 'body'");
  CHECK(e.title.source() == "subject");
  CHECK(e.text.source() == "body");

  auto check = [](const std::string& body, const std::string& needle, const std::string& msg) {
    INFO(body);
    CHECK(dest_errors(body) == at(body, needle) + msg + "\n");
  };
  check(kSlack + "max_alerts: 5", "max_alerts",
        "key \"max_alerts\" is not valid for destination type \"slack\"");
  check(kSlack + "secret: '0123456789abcdef'", "secret",
        "key \"secret\" is not valid for destination type \"slack\"");
  check("type: telegram, bot_token: t, chat_id: 1, title: x", "title",
        "key \"title\" is not valid for destination type \"telegram\"");
  check("type: opsgenie, api_key: k, text: x",
        "text:", "key \"text\" is not valid for destination type \"opsgenie\"");
  check(kSlack + "disable_notification: true", "disable_notification",
        "key \"disable_notification\" is not valid for destination type \"slack\"");
  check("type: log, timeout: 1s", "timeout",
        "key \"timeout\" is not valid for destination type \"log\"");
  check("type: log, send_resolved: false", "send_resolved",
        "key \"send_resolved\" is not valid for destination type \"log\"");
  check(kHook + "max_alerts: 0", "0", "\"max_alerts\": 0 is out of range 1..100000");
  check("type: kafka, max_alerts: 100001", "100001",
        "\"max_alerts\": 100001 is out of range 1..100000");
  check(kSlack + "text: ''", "''", "\"text\": must not be empty (omit it for the default text)");
  check("type: telegram, bot_token: t, chat_id: 5, disable_notification: 1", "1",
        "\"disable_notification\": expected true or false, got \"1\"");
}

TEST_CASE("policy: a webhook secret is at least 16 characters and never echoed") {
  const std::string body = kHook + "secret: 'TOPSECRET123'";
  const std::string e = dest_errors(body);
  CHECK(e == at(body, "'TOP") + "\"secret\": too short (12 characters; at least 16)\n");
  CHECK(e.find("TOPSECRET") == std::string::npos);
  const Destination w = dest(kHook + "secret: 'TOPSECRET-TOPSECRET'");
  CHECK(describe(w) == "webhook(https://example.com/***)");
  CHECK(describe(w).find("TOPSECRET") == std::string::npos);
}

TEST_CASE("policy: a template error points into the template") {
  // Single-quoted: the quote, then the text byte for byte.
  CHECK(errors_of(tenant("destinations:\n"
                         "  d:\n"
                         "    type: slack\n"
                         "    webhook: 'http://x/y'\n"
                         "    text: 'firing {{ .status'\n"
                         "rules:\n  - destinations: [d]\n")) ==
        "6:19: \"text\": column 8: unclosed {{\n");
  // Double-quoted with simple escapes, and '' in single quotes.
  CHECK(errors_of(tenant("destinations:\n"
                         "  d:\n"
                         "    type: email\n"
                         "    address: a@b\n"
                         "    title: \"a\\\"b\\\\ {{\"\n"
                         "    text: 'it''s {{ x'\n"
                         "rules:\n  - destinations: [d]\n")) ==
        "6:20: \"title\": column 6: unclosed {{\n"
        "7:18: \"text\": column 6: unclosed {{\n");
  // Plain (block context).
  CHECK(errors_of(tenant("destinations:\n"
                         "  d:\n"
                         "    type: opsgenie\n"
                         "    api_key: k\n"
                         "    title: down {{ .labels.x\n"
                         "rules:\n  - destinations: [d]\n")) ==
        "6:17: \"title\": column 6: unclosed {{\n");
  // A block scalar does not map byte for byte: the error is at the value.
  CHECK(errors_of(tenant("destinations:\n"
                         "  d:\n"
                         "    type: telegram\n"
                         "    bot_token: t\n"
                         "    chat_id: 1\n"
                         "    text: |\n"
                         "      line one\n"
                         "      {{ oops\n"
                         "rules:\n  - destinations: [d]\n")) ==
        "7:11: \"text\": line 2, column 1: unclosed {{\n");
  // In a flow map.
  const std::string body = kSlack + "title: 'x {{'";
  CHECK(dest_errors(body) == at(body, "{{'") + "\"title\": column 3: unclosed {{\n");
}

}  // namespace alertgate
