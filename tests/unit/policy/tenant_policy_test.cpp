#include "alertgate/tenant_policy.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace alertgate {
namespace {

constexpr const char* kSeed = R"(tenant_id: "t-1024"
rules:
  - severity: "critical"
    destinations:
      - type: "slack"
        webhook: "https://hooks.slack.com/services/XXX/YYY/ZZZ"
      - type: "pagerduty"
        service_key: "abcd1234"
  - severity: "warning"
    destinations:
      - type: "email"
        address: "ops-team@example.com"
)";

// All errors of loading `text` as "line:col: message", one per line.
std::string errors_of(const std::string& text) {
  auto r = load_tenant_policy(text, "t.yaml");
  if (r) return "";
  std::string out;
  for (const ConfigError& e : r.error()) {
    out += std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("tenant_policy: the seed policy loads with the right fields") {
  auto r = load_tenant_policy(kSeed, "seed.yaml");
  REQUIRE(r.ok());
  const TenantPolicy& p = r.value();
  CHECK(p.tenant_id == "t-1024");
  CHECK(p.file == "seed.yaml");
  CHECK(p.tokens.empty());
  REQUIRE(p.rules.size() == 2);
  REQUIRE(p.rules[0].severities == std::vector<Severity>{Severity::critical});
  CHECK(p.rules[0].line == 3);
  CHECK(p.rules[0].column == 5);
  REQUIRE(p.rules[0].destinations.size() == 2);
  const Destination& slack = p.rules[0].destinations[0];
  CHECK(slack.type == DestinationType::slack);
  CHECK(slack.webhook == "https://hooks.slack.com/services/XXX/YYY/ZZZ");
  CHECK(slack.line == 5);
  CHECK(slack.column == 9);
  const Destination& pd = p.rules[0].destinations[1];
  CHECK(pd.type == DestinationType::pagerduty);
  CHECK(pd.service_key == "abcd1234");
  CHECK(pd.routing_key.empty());
  REQUIRE(p.rules[1].severities == std::vector<Severity>{Severity::warning});
  REQUIRE(p.rules[1].destinations.size() == 1);
  CHECK(p.rules[1].destinations[0].type == DestinationType::email);
  CHECK(p.rules[1].destinations[0].address == "ops-team@example.com");
}

TEST_CASE("tenant_policy: the seed policy in JSON form loads the same") {
  const char* json = R"({
  "tenant_id": "t-1024",
  "tokens": ["sha256:97FBE810B3381E73EE2314B014D3F23AB06D459D757A2F4A9109BD52364A8F84"],
  "rules": [
    {"severity": "critical", "destinations": [
      {"type": "slack", "webhook": "https://hooks.slack.com/services/XXX/YYY/ZZZ"},
      {"type":"pagerduty","service_key":"abcd1234"}]},
    {"severity": ["warning", "error"], "destinations": [
      {"type": "email", "address": "ops-team@example.com"}]}
  ]
})";
  auto r = load_tenant_policy(json, "t.json");
  INFO(errors_of(json));
  REQUIRE(r.ok());
  CHECK(r->tenant_id == "t-1024");
  REQUIRE(r->tokens.size() == 1);
  CHECK(r->tokens[0] == sha256("demo-token-t1024"));
  REQUIRE(r->rules.size() == 2);
  CHECK(r->rules[0].destinations[1].service_key == "abcd1234");
  CHECK(r->rules[1].severities == std::vector<Severity>{Severity::warning, Severity::error});
  CHECK(r->rules[1].destinations[0].line == 9);
  CHECK(r->rules[1].destinations[0].column == 7);
}

TEST_CASE("tenant_policy: a bad destination type is reported at its value") {
  const std::string text =
      "tenant_id: t-1\n"
      "rules:\n"
      "  - severity: critical\n"
      "    destinations:\n"
      "      - type:   slak\n";
  auto r = load_tenant_policy(text, "tenants/t-1.yaml");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.error().size() == 1);
  CHECK(to_string(r.error()[0]) ==
        "tenants/t-1.yaml:5:17: unknown destination type \"slak\" (did you mean \"slack\"?)");
  CHECK(errors_of("tenant_id: a\nrules:\n  - destinations: [{type: sms}]\n") ==
        "3:27: unknown destination type \"sms\"\n");
}

TEST_CASE("tenant_policy: unknown keys are reported at every level with suggestions") {
  const std::string text =
      "tenant_id: t-1\n"
      "lables: {}\n"
      "rules:\n"
      "  - severty: critical\n"
      "    destinations:\n"
      "      - type: slack\n"
      "        webhok: https://hooks.slack.com/services/A/B/C\n"
      "        colour: red\n";
  CHECK(errors_of(text) ==
        "2:1: unknown key \"lables\"\n"
        "4:5: unknown key \"severty\" (did you mean \"severity\"?)\n"
        "7:9: unknown key \"webhok\" (did you mean \"webhook\"?)\n"
        "8:9: unknown key \"colour\"\n"
        "6:9: missing required key \"webhook\"\n");
  CHECK(errors_of("tenant_ids: a\n") ==
        "1:1: unknown key \"tenant_ids\" (did you mean \"tenant_id\"?)\n"
        "1:1: missing required key \"tenant_id\"\n");
}

TEST_CASE("tenant_policy: a key of another destination type is named as such") {
  const std::string text =
      "tenant_id: t-1\n"
      "rules:\n"
      "  - destinations:\n"
      "      - type: email\n"
      "        address: a@example.com\n"
      "        webhook: https://example.com/x\n";
  CHECK(errors_of(text) == "6:9: key \"webhook\" is not valid for destination type \"email\"\n");
}

TEST_CASE("tenant_policy: wrong types are reported with what was found") {
  CHECK(errors_of("tenant_id: [a]\n") == "1:12: \"tenant_id\": expected a string, got a list\n");
  CHECK(errors_of("tenant_id: a\nrules: {a: 1}\n") ==
        "2:8: \"rules\": expected a list, got a map\n");
  CHECK(errors_of("tenant_id: a\nrules:\n  - destinations: slack\n") ==
        "3:19: \"destinations\": expected a list, got a string\n");
  CHECK(errors_of("tenant_id: a\nrules:\n  - 5\n") == "3:5: rule: expected a map, got a number\n");
  CHECK(errors_of("tenant_id: a\nrules:\n  - destinations: [true]\n") ==
        "3:20: destination: expected a map or the name of a tenant-level destination, got a "
        "bool\n");
  CHECK(errors_of("tenant_id: a\nrules:\n  - destinations:\n      - type: {a: b}\n") ==
        "4:15: \"type\": expected a string, got a map\n");
  CHECK(errors_of("- a\n") == "1:1: tenant file: expected a map, got a list\n");
  CHECK(errors_of("") == "1:1: tenant file: expected a map, got null\n");
  // A key without a value is reported at the key (yaml-cpp marks the next token).
  CHECK(errors_of("tenant_id:\nrules: []\n") ==
        "1:1: \"tenant_id\": expected a string, got null\n");
}

TEST_CASE("tenant_policy: duplicate keys are errors at the second occurrence") {
  CHECK(errors_of("tenant_id: a\nrules: []\ntenant_id: b\n") ==
        "3:1: duplicate key \"tenant_id\" (first at 1:1)\n");
  CHECK(errors_of("tenant_id: a\nrules:\n  - destinations:\n      - {type: log, type: kafka}\n") ==
        "4:21: duplicate key \"type\" (first at 4:10)\n");
}

TEST_CASE("tenant_policy: YAML syntax errors carry their position") {
  auto r = load_tenant_policy("tenant_id: a\nrules: [\n  {type: log\n", "bad.yaml");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.error().size() == 1);
  CHECK(r.error()[0].file == "bad.yaml");
  CHECK(r.error()[0].line > 0);
  CHECK(r.error()[0].message.rfind("YAML syntax error: ", 0) == 0);
  CHECK(errors_of("tenant_id: a\n  b: c\n") == "2:4: YAML syntax error: illegal map value\n");
  CHECK(errors_of("tenant_id: a\n---\ntenant_id: b\n") ==
        "2:1: expected one YAML document, found another here\n");
  // yaml-cpp's LoadAll loops forever on a stray top-level ','; we must not.
  CHECK(errors_of(", a") == "1:1: expected one YAML document, found another here\n");
  CHECK(errors_of(std::string(100, '[')) == "1:1: nested deeper than 64 levels\n");
}

TEST_CASE("tenant_policy: tenant_id is required and must be a valid id") {
  CHECK(errors_of("rules: []\n") == "1:1: missing required key \"tenant_id\"\n");
  CHECK(errors_of("tenant_id: \"\"\n") == "1:12: \"tenant_id\": must not be empty\n");
  CHECK(errors_of("tenant_id: T_1\n") ==
        "1:12: invalid tenant_id \"T_1\" (1-63 of a-z, 0-9, '-', '_'; first a letter or "
        "digit)\n");
  CHECK(valid_tenant_id("t-1024"));
  CHECK(valid_tenant_id("0"));
  CHECK(valid_tenant_id("a_b-c"));
  CHECK(valid_tenant_id(std::string(63, 'a')));
  CHECK_FALSE(valid_tenant_id(std::string(64, 'a')));
  CHECK_FALSE(valid_tenant_id(""));
  CHECK_FALSE(valid_tenant_id("-a"));
  CHECK_FALSE(valid_tenant_id("_a"));
  CHECK_FALSE(valid_tenant_id("aB"));
  CHECK_FALSE(valid_tenant_id("a.b"));
  CHECK_FALSE(valid_tenant_id("a b"));
  CHECK_FALSE(valid_tenant_id("a/b"));
}

TEST_CASE("tenant_policy: tokens are sha256 digests and are never echoed") {
  const std::string digest = "sha256:" + std::string(64, 'a');
  auto ok = load_tenant_policy("tenant_id: a\ntokens: \"" + digest + "\"\n", "t.yaml");
  REQUIRE(ok.ok());
  REQUIRE(ok->tokens.size() == 1);
  CHECK(ok->tokens[0][0] == 0xaa);

  const std::string plain = "tenant_id: a\ntokens:\n  - my-secret-token\n";
  const std::string e1 = errors_of(plain);
  CHECK(e1 ==
        "3:5: token: expected \"sha256:\" and 64 hex digits (the SHA-256 of the token, "
        "never the token itself)\n");
  CHECK(e1.find("my-secret") == std::string::npos);

  const std::string short_digest = "tenant_id: a\ntokens: [\"sha256:ab12cd34ef\"]\n";
  const std::string e2 = errors_of(short_digest);
  CHECK(e2.rfind("2:10: token \"sha256:ab12…\": expected", 0) == 0);
  CHECK(e2.find("cd34") == std::string::npos);

  CHECK(errors_of("tenant_id: a\ntokens: [\"" + digest + "\", \"" + digest + "\"]\n") ==
        "2:85: duplicate token \"sha256:aaaa…\" (first at 2:10)\n");
  CHECK(errors_of("tenant_id: a\ntokens: [{a: b}]\n") == "2:10: expected a string, got a map\n");
}

TEST_CASE("tenant_policy: severities are exactly critical|error|warning|info") {
  auto r = load_tenant_policy(
      "tenant_id: a\nrules:\n  - severity: [critical, error, warning, info]\n"
      "    destinations: [{type: log}]\n  - destinations: [{type: log}]\n",
      "t.yaml");
  REQUIRE(r.ok());
  CHECK(r->rules[0].severities.size() == 4);
  CHECK(r->rules[1].severities.empty());
  const std::string head = "tenant_id: a\nrules:\n  - destinations: [{type: log}]\n    severity: ";
  CHECK(errors_of(head + "Critical\n") ==
        "4:15: unknown severity \"Critical\" (use critical, error, warning or info) (did you "
        "mean \"critical\"?)\n");
  CHECK(errors_of(head + "high\n") ==
        "4:15: unknown severity \"high\" (use critical, error, warning or info)\n");
  CHECK(errors_of(head + "[]\n") ==
        "4:15: \"severity\": empty list (omit the key to match any severity)\n");
  CHECK(errors_of(head + "[info, info]\n") == "4:22: duplicate severity \"info\"\n");
}

TEST_CASE("tenant_policy: rules may be empty, destinations may not") {
  auto r = load_tenant_policy("tenant_id: a\nrules: []\n", "t.yaml");
  REQUIRE(r.ok());
  CHECK(r->rules.empty());
  CHECK(load_tenant_policy("tenant_id: a\n", "t.yaml").ok());
  CHECK(errors_of("tenant_id: a\nrules:\n  - severity: info\n    destinations: []\n") ==
        "4:19: \"destinations\": needs at least one destination\n");
  CHECK(errors_of("tenant_id: a\nrules:\n  - severity: info\n") ==
        "3:5: missing required key \"destinations\"\n");
}

TEST_CASE("tenant_policy: every problem of a file is reported in one pass") {
  const std::string text =
      "tenant_id: Bad\n"
      "tokens: [nope]\n"
      "rules:\n"
      "  - severity: fatal\n"
      "    destinations:\n"
      "      - type: webhook\n"
      "        url: ftp://example.com\n"
      "      - type: email\n"
      "        address: nobody\n";
  auto r = load_tenant_policy(text, "t.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().size() == 5);
}

TEST_CASE("tenant_policy: errors per file are capped") {
  std::string text = "tenant_id: a\n";
  for (int i = 0; i < 300; ++i) text += "k" + std::to_string(i) + ": 1\n";
  auto r = load_tenant_policy(text, "t.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().size() == 101);
  CHECK(r.error().back().message == "too many errors, the rest are not shown");
}

TEST_CASE("tenant_policy: aliases cannot blow a small file up") {
  std::string text = "tenant_id: a\nrules:\n  - &r {destinations: [";
  for (int i = 0; i < 10; ++i) text += "{type: log}, ";
  text += "]}\n";
  auto ok = load_tenant_policy(text + "  - *r\n", "t.yaml");
  REQUIRE(ok.ok());
  CHECK(ok->rules.size() == 2);
  CHECK(ok->rules[1].destinations.size() == 10);
  for (int i = 0; i < 150; ++i) text += "  - *r\n";
  const std::string e = errors_of(text);
  CHECK(e == "3:23: more than 1000 destinations in one tenant file\n");
  std::string many = "tenant_id: a\nrules:\n  - &r {destinations: [{type: log}]}\n";
  for (int i = 0; i < 1000; ++i) many += "  - *r\n";
  CHECK(errors_of(many) == "3:3: \"rules\": more than 1000 rules\n");
}

TEST_CASE("tenant_policy: loading a missing file is one file-level error") {
  auto r = load_tenant_policy_file("/nonexistent/alertgate/t.yaml");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.error().size() == 1);
  CHECK(r.error()[0].line == 0);
  CHECK(r.error()[0].file == "/nonexistent/alertgate/t.yaml");
}

}  // namespace alertgate
