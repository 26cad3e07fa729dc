#include <catch2/catch.hpp>
#include <string>

#include "alertgate/tenant_policy.hpp"

namespace alertgate {
namespace {

// Loads a tenant file whose only rule has the one destination given as flow-map body, and
// returns the errors as "line:col: message" lines (the destination map starts at 3:20).
std::string dest_errors(const std::string& body) {
  const std::string text = "tenant_id: a\nrules:\n  - destinations: [{" + body + "}]\n";
  auto r = load_tenant_policy(text, "t.yaml");
  if (r) return "";
  std::string out;
  for (const ConfigError& e : r.error()) {
    out += std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message + "\n";
  }
  return out;
}

Destination dest(const std::string& body) {
  const std::string text = "tenant_id: a\nrules:\n  - destinations: [{" + body + "}]\n";
  auto r = load_tenant_policy(text, "t.yaml");
  REQUIRE(r.ok());
  return r->rules.at(0).destinations.at(0);
}

}  // namespace

TEST_CASE("destination: every type loads with its settings") {
  CHECK(dest("type: webhook, url: 'https://example.com/hook'").url == "https://example.com/hook");
  CHECK(dest("type: slack, webhook: 'http://x/y'").webhook == "http://x/y");
  CHECK(dest("type: pagerduty, routing_key: r1").routing_key == "r1");
  const Destination pd = dest("type: pagerduty, service_key: s1, url: 'https://pd.example'");
  CHECK(pd.service_key == "s1");
  CHECK(pd.url == "https://pd.example");
  const Destination og = dest("type: opsgenie, api_key: k, url: 'https://api.eu.opsgenie.com'");
  CHECK(og.api_key == "k");
  CHECK(og.url == "https://api.eu.opsgenie.com");
  const Destination tg = dest("type: telegram, bot_token: '1:abc', chat_id: -1001234567");
  CHECK(tg.bot_token == "1:abc");
  CHECK(tg.chat_id == "-1001234567");
  CHECK(dest("type: telegram, bot_token: t, chat_id: '@ops_room'").chat_id == "@ops_room");
  CHECK(
      dest("type: telegram, bot_token: t, chat_id: 1, api_url: 'http://localhost:8081'").api_url ==
      "http://localhost:8081");
  CHECK(dest("type: email, address: a@b").address == "a@b");
  CHECK(dest("type: kafka").topic.empty());
  CHECK(dest("type: kafka, topic: alerts.x_y-z").topic == "alerts.x_y-z");
  CHECK(dest("type: log").path.empty());
  CHECK(dest("type: log, path: /var/log/a.log").path == "/var/log/a.log");
}

TEST_CASE("destination: required keys and value checks") {
  CHECK(dest_errors("url: 'http://x'") == "3:20: missing required key \"type\"\n");
  CHECK(dest_errors("type: webhook") == "3:20: missing required key \"url\"\n");
  CHECK(dest_errors("type: slack") == "3:20: missing required key \"webhook\"\n");
  CHECK(dest_errors("type: pagerduty") ==
        "3:20: missing required key \"routing_key\" (or \"service_key\")\n");
  CHECK(dest_errors("type: pagerduty, service_key: a, routing_key: b") ==
        "3:54: set either \"service_key\" or \"routing_key\", not both\n");
  CHECK(dest_errors("type: opsgenie") == "3:20: missing required key \"api_key\"\n");
  CHECK(dest_errors("type: telegram, bot_token: t") == "3:20: missing required key \"chat_id\"\n");
  CHECK(dest_errors("type: telegram, bot_token: t, chat_id: abc") ==
        "3:60: \"chat_id\": expected a numeric chat id or @channel, got \"abc\"\n");
  CHECK(dest_errors("type: email") == "3:20: missing required key \"address\"\n");
  CHECK(dest_errors("type: email, address: nobody") ==
        "3:43: \"address\": expected one email address (name@domain), got \"nobody\"\n");
  CHECK(dest_errors("type: email, address: 'a@b@c'") ==
        "3:43: \"address\": expected one email address (name@domain), got \"a@b@c\"\n");
  CHECK(dest_errors("type: kafka, topic: 'a b'") ==
        "3:41: \"topic\": invalid Kafka topic \"a b\" (letters, digits, '.', '_', '-'; at "
        "most 249)\n");
  CHECK(dest_errors("type: log, path: ''") == "3:38: \"path\": must not be empty\n");
  CHECK(dest_errors("type: TYPE") == "3:27: unknown destination type \"TYPE\"\n");
  CHECK(dest_errors("type: pagerduti, service_key: x") ==
        "3:27: unknown destination type \"pagerduti\" (did you mean \"pagerduty\"?)\n");
}

TEST_CASE("destination: a bad URL is reported without echoing it") {
  const std::string e = dest_errors("type: slack, webhook: 'hooks.slack.com/services/T/B/SECRET'");
  CHECK(e == "3:43: \"webhook\": expected an http:// or https:// URL with a host\n");
  CHECK(e.find("SECRET") == std::string::npos);
  CHECK(dest_errors("type: webhook, url: 'https://'") ==
        "3:41: \"url\": expected an http:// or https:// URL with a host\n");
  CHECK(dest_errors("type: webhook, url: 'https://a b/'") ==
        "3:41: \"url\": expected an http:// or https:// URL with a host\n");
  CHECK(dest_errors("type: webhook, url: 'HTTPS://Example.com'").empty());
}

TEST_CASE("destination: an unknown key next to an unknown type is still reported") {
  CHECK(dest_errors("type: slak, webhok: x") ==
        "3:27: unknown destination type \"slak\" (did you mean \"slack\"?)\n"
        "3:33: unknown key \"webhok\" (did you mean \"webhook\"?)\n");
}

TEST_CASE("destination: describe() never shows secrets") {
  Destination slack;
  slack.type = DestinationType::slack;
  slack.webhook = "https://hooks.slack.com/services/XXX/YYY/ZZZ";
  CHECK(describe(slack) == "slack(hooks.slack.com/…/***)");

  Destination webhook;
  webhook.type = DestinationType::webhook;
  webhook.url = "https://user:pass@alerts.example.com:8443/hook?token=abc";
  CHECK(describe(webhook) == "webhook(https://alerts.example.com:8443/***)");

  Destination pd;
  pd.type = DestinationType::pagerduty;
  pd.service_key = "abcd1234";
  CHECK(describe(pd) == "pagerduty(abcd***)");
  pd.service_key = "abc";
  CHECK(describe(pd) == "pagerduty(a***)");
  pd.service_key.clear();
  pd.routing_key = "R0123456789";
  CHECK(describe(pd) == "pagerduty(R012***)");

  Destination og;
  og.type = DestinationType::opsgenie;
  og.api_key = "0123456789abcdef";
  CHECK(describe(og) == "opsgenie(0123***)");

  Destination tg;
  tg.type = DestinationType::telegram;
  tg.bot_token = "123:SECRET";
  tg.chat_id = "-100";
  CHECK(describe(tg) == "telegram(chat -100)");

  Destination email;
  email.type = DestinationType::email;
  email.address = "ops-team@example.com";
  CHECK(describe(email) == "email(ops-team@example.com)");

  Destination kafka;
  kafka.type = DestinationType::kafka;
  CHECK(describe(kafka) == "kafka(alerts-<tenant_id>)");
  kafka.topic = "t";
  CHECK(describe(kafka) == "kafka(t)");

  Destination log;
  CHECK(describe(log) == "log(stdout)");
  log.path = "/tmp/x.log";
  CHECK(describe(log) == "log(/tmp/x.log)");
}

TEST_CASE("destination: type names round-trip") {
  for (auto t : {DestinationType::webhook, DestinationType::slack, DestinationType::pagerduty,
                 DestinationType::opsgenie, DestinationType::telegram, DestinationType::email,
                 DestinationType::kafka, DestinationType::log}) {
    CHECK(parse_destination_type(to_string(t)) == t);
  }
  CHECK_FALSE(parse_destination_type("Slack").has_value());
  CHECK_FALSE(parse_destination_type("").has_value());
}

}  // namespace alertgate
