// A rule's `fallback`, Rule::key over the destination settings, and the check-config
// warning for email destinations without SMTP.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "policy_test_util.hpp"

namespace alertgate {
namespace {

using policy_test::errors_of;
using policy_test::load;
using policy_test::tenant;

const std::string kNamed =
    "destinations:\n"
    "  oncall: {type: slack, webhook: 'http://x/y'}\n"
    "  backup: {type: webhook, url: 'http://b', timeout: 2s}\n";

std::uint64_t key_of(const std::string& text) {
  auto r = load(text);
  INFO(errors_of(text));
  REQUIRE(r.ok());
  return r->rules.at(0).key;
}

}  // namespace

TEST_CASE("policy: fallback resolves a named destination, in rules and default") {
  auto r = load(tenant(kNamed + "rules:\n"
                                "  - destinations: [oncall]\n"
                                "    fallback: backup\n"
                                "  - destinations: [backup]\n"
                                "default:\n"
                                "  destinations: [{type: log}]\n"
                                "  fallback: oncall\n"));
  INFO(errors_of(tenant(kNamed)));
  REQUIRE(r.ok());
  REQUIRE(r->rules[0].fallback.has_value());
  CHECK(r->rules[0].fallback->name == "backup");
  CHECK(r->rules[0].fallback->delivery.timeout == std::chrono::seconds(2));
  CHECK_FALSE(r->rules[1].fallback.has_value());
  REQUIRE(r->default_rule->fallback.has_value());
  CHECK(r->default_rule->fallback->name == "oncall");
}

TEST_CASE("policy: fallback errors") {
  CHECK(errors_of(tenant(kNamed + "rules:\n  - destinations: [oncall]\n    fallback: bakup\n")) ==
        "7:15: \"fallback\": unknown destination \"bakup\" (did you mean \"backup\"?)\n");
  CHECK(errors_of(tenant("rules:\n  - destinations: [{type: log}]\n    fallback: x\n")) ==
        "4:15: \"fallback\": unknown destination \"x\" (no tenant-level \"destinations\")\n");
  CHECK(errors_of(tenant(kNamed + "rules:\n  - destinations: [oncall]\n    fallback: oncall\n")) ==
        "7:15: \"fallback\": \"oncall\" is one of this rule's destinations (the fallback is used "
        "while they fail)\n");
  CHECK(errors_of(
            tenant(kNamed + "rules:\n  - destinations: [oncall]\n    fallback: {type: log}\n")) ==
        "7:15: \"fallback\": expected the name of a tenant-level destination, got a map\n");
  CHECK(errors_of(tenant(kNamed + "default:\n  destinations: [oncall]\n  fallbak: backup\n")) ==
        "7:3: unknown key \"fallbak\" (did you mean \"fallback\"?)\n");
  // A definition with errors is reported once, not at its uses.
  CHECK(errors_of(tenant("destinations:\n  bad: {type: webhook}\n"
                         "rules:\n  - destinations: [{type: log}]\n    fallback: bad\n")) ==
        "3:8: missing required key \"url\"\n");
}

TEST_CASE("policy: Rule::key changes with every destination setting and the fallback") {
  const std::string head = "rules:\n  - destinations: [{type: slack, webhook: 'http://x/y'";
  const std::string tail = "}]\n";
  const std::uint64_t base = key_of(tenant(head + tail));
  CHECK(key_of(tenant(head + tail)) == base);
  // Writing a default explicitly means the same rule.
  CHECK(key_of(tenant(head + ", timeout: 10s, rate_limit: {rate: 1, burst: 3}" + tail)) == base);
  for (const char* change :
       {", timeout: 11s", ", connect_timeout: 1s", ", retry: {base: 2s}", ", retry: {cap: 2m}",
        ", retry: {max_attempts: 2}", ", rate_limit: {rate: 1.5}",
        ", rate_limit: {rate: 1, burst: 4}", ", breaker: {failures: 6}",
        ", breaker: {cool_down: 31s}", ", max_in_flight: 5", ", send_resolved: false",
        ", title: 'x'", ", text: 'x'"}) {
    INFO(change);
    CHECK(key_of(tenant(head + change + tail)) != base);
  }
  const std::string hook = "rules:\n  - destinations: [{type: webhook, url: 'http://x'";
  const std::uint64_t hook_base = key_of(tenant(hook + tail));
  CHECK(key_of(tenant(hook + ", secret: '0123456789abcdef'" + tail)) != hook_base);
  CHECK(key_of(tenant(hook + ", max_alerts: 3" + tail)) != hook_base);
  const std::string tg = "rules:\n  - destinations: [{type: telegram, bot_token: t, chat_id: 1";
  CHECK(key_of(tenant(tg + ", disable_notification: true" + tail)) != key_of(tenant(tg + tail)));

  const std::string named = kNamed + "rules:\n  - destinations: [oncall]\n";
  const std::uint64_t without = key_of(tenant(named));
  const std::uint64_t with = key_of(tenant(named + "    fallback: backup\n"));
  CHECK(with != without);
  // A change in the fallback's definition changes the rule too.
  std::string changed = kNamed;
  changed.replace(changed.find("2s"), 2, "3s");
  CHECK(key_of(tenant(changed + "rules:\n  - destinations: [oncall]\n    fallback: backup\n")) !=
        with);
}

TEST_CASE("policy: lint warns about email destinations while smtp.url is empty") {
  const std::string text = tenant(
      "destinations:\n"
      "  mail: {type: email, address: ops@example.com}\n"
      "rules:\n"
      "  - severity: critical\n"
      "    destinations: [mail, {type: email, address: b@example.com}]\n"
      "  - severity: warning\n"
      "    destinations: [mail]\n"
      "default:\n"
      "  destinations: [{type: log}]\n"
      "  fallback: mail\n");
  auto r = load(text);
  INFO(errors_of(text));
  REQUIRE(r.ok());
  CHECK(lint_tenant_policy(*r, LintContext{.smtp_configured = true}).empty());
  std::string out;
  for (const ConfigError& e : lint_tenant_policy(*r, LintContext{.smtp_configured = false})) {
    out += std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message + "\n";
  }
  CHECK(out ==
        "3:9: warning: email destination email(ops@example.com) cannot deliver: the main config "
        "has no smtp.url (its notifications go to the dead-letter store)\n"
        "6:26: warning: email destination email(b@example.com) cannot deliver: the main config "
        "has no smtp.url (its notifications go to the dead-letter store)\n");
}

TEST_CASE("policy: each destination's stored identity is destination_identity(), also copied") {
  auto r = load(tenant(kNamed + "rules:\n"
                                "  - destinations: [oncall, {type: webhook, url: 'http://i'}]\n"
                                "    fallback: backup\n"
                                "default:\n"
                                "  destinations: [{type: email, address: a@b}]\n"
                                "  fallback: oncall\n"));
  REQUIRE(r.ok());
  std::vector<const Destination*> all;
  for (const Destination& d : r->named_destinations) all.push_back(&d);
  for (const Rule* rule : {&r->rules.at(0), &*r->default_rule}) {
    for (const Destination& d : rule->destinations) all.push_back(&d);
    REQUIRE(rule->fallback.has_value());
    all.push_back(&*rule->fallback);
  }
  REQUIRE(all.size() == 7);
  for (const Destination* d : all) {
    INFO(describe(*d));
    CHECK(d->identity != 0);
    CHECK(d->identity == destination_identity(*d));
  }
  // A named destination used by a rule, as a fallback, or copied: one identity.
  CHECK(r->rules[0].destinations[0].identity == r->named_destinations[0].identity);
  CHECK(r->default_rule->fallback->identity == r->named_destinations[0].identity);
  CHECK(r->rules[0].fallback->identity == r->named_destinations[1].identity);
  const TenantPolicy copy = *r;
  CHECK(copy.rules[0].destinations[1].identity ==
        destination_identity(r->rules[0].destinations[1]));
  CHECK(copy.default_rule->destinations[0].identity == all[5]->identity);
}

}  // namespace alertgate
