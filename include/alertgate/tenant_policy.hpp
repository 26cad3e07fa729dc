// Tenant policy: what one `tenants_dir/*.yaml` (or .json) file says. Loaded at start-up and
// reload (never on the data path), validated whole: every problem is reported with its
// position. The reference with every key, default and bound is docs/policy.md; the JSON
// Schema config/schema/tenant.schema.json says the same (a test keeps them in agreement).
//
// Format (the seed policy, plus the optional parts):
//   tenant_id: "t-1024"               # ^[a-z0-9][a-z0-9_-]{0,62}$
//   tokens: ["sha256:<64 hex>"]       # SHA-256 of the bearer tokens this tenant accepts
//   limits: {rate: 500, burst: 1000, max_queue: 100000, max_active_alerts: 50000}
//   enrich: {labels: {team: "payments"}}
//   rating: {severity_scores: {...}, boosts: [...], recurrence: {...}, flapping: {...}}
//   destinations:                     # named receivers, referenced by name from rules
//     oncall: {type: "slack", webhook: "https://hooks.slack.com/services/XXX/YYY/ZZZ"}
//     backup:                         # + delivery settings and templates (docs/policy.md)
//       type: "webhook"
//       url: "https://example.com/hook"
//       secret: "at-least-16-characters"
//       timeout: 10s                  # also connect_timeout, send_resolved, max_in_flight
//       retry: {base: 1s, cap: 1m, max_attempts: 10}
//       rate_limit: {rate: 5, burst: 10}
//       breaker: {failures: 5, cool_down: 30s}
//   rules:
//     - severity: "critical"          # one value or a list; omitted = any severity
//       match: ['service=~"db|cache"']  # Alertmanager matchers, all must match
//       min_rating: 80                # 0..100, inclusive bounds
//       continue: false               # true: later rules are tried too
//       group_by: ["alertname"]       # omitted = no grouping: each alert is notified alone
//       group_wait: 30s
//       group_interval: 5m
//       repeat_interval: 4h
//       mute_when: [{weekdays: ["saturday"], times: [{start_time: "00:00", end_time: "08:00"}]}]
//       destinations:
//         - "oncall"                  # a named destination
//         - type: "email"
//           address: "ops-team@example.com"
//       fallback: "backup"            # named destination used while the breakers are open
//   default: {destinations: [...]}    # the rule for alerts no rule matched
//   inhibit:
//     - source_match: ['severity="critical"']
//       target_match: ['severity="warning"']
//       equal: ["alertname", "cluster"]
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/config_error.hpp"
#include "alertgate/matcher.hpp"
#include "alertgate/rating_policy.hpp"
#include "alertgate/result.hpp"
#include "alertgate/template.hpp"
#include "alertgate/time_interval.hpp"

namespace alertgate {

using TokenDigest = std::array<std::uint8_t, 32>;  // SHA-256

enum class DestinationType : std::uint8_t {
  webhook,
  slack,
  pagerduty,
  opsgenie,
  telegram,
  email,
  kafka,
  log
};
std::string_view to_string(DestinationType t);
std::optional<DestinationType> parse_destination_type(std::string_view text);

struct Destination {
  DestinationType type = DestinationType::log;
  // Type-specific settings; only those of `type` are set (the loader checks which are
  // required and which are allowed).
  std::string url;          // webhook, pagerduty (optional), opsgenie (optional)
  std::string webhook;      // slack
  std::string service_key;  // pagerduty (or routing_key)
  std::string routing_key;  // pagerduty
  std::string api_key;      // opsgenie
  std::string bot_token;    // telegram
  std::string chat_id;      // telegram
  std::string api_url;      // telegram (optional)
  std::string address;      // email
  std::string topic;        // kafka (optional, default alerts-<tenant_id>)
  std::string path;         // log (optional, default stdout)
  std::string name;         // set when defined in the tenant's `destinations:` map

  // Templates (docs/policy.md "Templates"); empty = the type's default text.
  Template title;      // slack (the `text` fallback line), opsgenie (message), email (subject)
  Template text;       // slack (section text), telegram (message), email (plain-text body)
  std::string secret;  // webhook: HMAC-SHA256 key for X-Alertgate-Signature
  bool send_resolved = true;          // every type: also notify resolves
  std::size_t max_alerts = 0;         // webhook, kafka: alerts per request, 0 = unlimited
  bool disable_notification = false;  // telegram

  // Delivery (every type but log); defaults per type in default_delivery().
  struct Delivery {
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds timeout{10000};    // whole request
    std::chrono::milliseconds retry_base{1000};  // backoff: min(cap, base * 2^n) * random[0,1)
    std::chrono::milliseconds retry_cap{60000};
    std::uint32_t max_attempts = 10;  // then the dead-letter store
    double rate = 0;                  // requests/s, 0 = unlimited (queued, not dropped)
    double burst = 1;
    std::uint32_t breaker_failures = 5;  // consecutive failed attempts to open
    std::chrono::milliseconds breaker_cool_down{30000};
    std::uint32_t max_in_flight = 4;  // concurrent requests to this destination
  } delivery;

  int line = 0;  // position in the tenant file (of the definition)
  int column = 0;

  // destination_identity() of the fields above, stored once the policy is loaded
  // (assign_destination_identities) so that delivery need not hash per notification.
  std::uint64_t identity = 0;
};

// The delivery defaults of a destination type, from the services' documented limits:
// slack 1/s burst 3, pagerduty 2/s (120/min per key) burst 10, telegram 1/s per chat,
// opsgenie 10/s, webhook and email unlimited.
Destination::Delivery default_delivery(DestinationType type);

// How a destination is shown in logs and API answers: secrets redacted,
// e.g. `slack(hooks.slack.com/…/***)` (the path of a Slack webhook is its secret),
// `webhook(https://host/***)`, `pagerduty(abcd***)`, `email(ops-team@example.com)`,
// `log(stdout)`.
std::string describe(const Destination& d);
// The destination's identity: a hash of its type and every address/credential field (not
// its templates or delivery settings), stable across restarts and reloads. The WAL's
// outcome records and the dead-letter store name destinations by it.
std::uint64_t destination_identity(const Destination& d);

// Grouping of one rule, with Alertmanager's semantics (docs/policy.md, "Grouping"):
// alerts with equal values of the `by` labels form one group, notified together first
// `group_wait` after the group appeared, then at most every `group_interval` when it
// changed, and again every `repeat_interval` while it has firing alerts and nothing changed.
// Without `group_by` (`enabled` false) each alert is its own group, notified at once
// (group_wait and group_interval 0); repeat_interval still applies.
struct Grouping {
  bool enabled = false;
  bool by_all = false;          // group_by: ["..."]: every label
  std::vector<std::string> by;  // as written, duplicates refused
  std::chrono::milliseconds group_wait = std::chrono::seconds(30);
  std::chrono::milliseconds group_interval = std::chrono::minutes(5);
  std::chrono::milliseconds repeat_interval = std::chrono::hours(4);
};

struct Rule {
  std::vector<Severity> severities;  // empty = any severity
  std::vector<Matcher> match;        // all must match; empty = any labels
  int min_rating = 0;                // inclusive, 0..100
  int max_rating = 100;              // inclusive, min_rating <= max_rating
  bool continue_matching = false;    // `continue: true`: later rules are tried as well
  Grouping grouping;
  std::vector<TimeInterval> mute_when;  // notifications held while any window contains now
  // Named references are resolved at load: each entry is a full copy (its `name` set).
  std::vector<Destination> destinations;
  // `fallback: <named destination>`: used for this rule's notifications while a
  // destination's circuit breaker is open. Unset = wait for the breaker to close.
  std::optional<Destination> fallback;
  // Hash of everything above except the position: equal across reloads iff the rule is
  // unchanged, so its groups and dedup state carry over a reload.
  std::uint64_t key = 0;
  int line = 0;
  int column = 0;
};

// Alertmanager inhibition: while a firing alert matches `source_match`, firing alerts that
// match `target_match` and have the same values (absent = "") of every `equal` label are
// not notified. An alert never inhibits itself.
struct InhibitRule {
  std::vector<Matcher> source_match;
  std::vector<Matcher> target_match;
  std::vector<std::string> equal;
  int line = 0;
  int column = 0;
};

// Per-tenant limits; unset = the main config's default for every tenant.
struct TenantLimits {
  std::optional<double> rate;                    // alerts/s, > 0
  std::optional<std::uint32_t> burst;            // alerts, >= 1 (default: max(1, rate))
  std::optional<std::size_t> max_queue;          // alerts waiting on the home shard
  std::optional<std::size_t> max_active_alerts;  // distinct firing fingerprints
};

struct TenantPolicy {
  std::string tenant_id;
  std::vector<TokenDigest> tokens;
  TenantLimits limits;
  LabelSet enrich_labels;  // sorted; added to every alert that lacks the label
  RatingPolicy rating;
  std::vector<Destination> named_destinations;  // the `destinations:` map, in file order
  std::vector<Rule> rules;
  std::optional<Rule> default_rule;  // severity/match/min/max/continue not allowed
  std::vector<InhibitRule> inhibit;
  std::string file;  // where it was loaded from
  // XXH3 of the file's bytes: a reload keeps the old compiled policy when it is unchanged.
  std::uint64_t content_hash = 0;
};

// Stores destination_identity() in Destination::identity for every destination of `policy`:
// the named ones, each rule's and its fallback, the default rule's. load_tenant_policy()
// calls it; code that builds or changes a policy's destinations by hand calls it when done.
void assign_destination_identities(TenantPolicy& policy);

// Non-fatal findings of check-config (`file:line:col: warning: ...`), e.g. a rule that can
// never match because an earlier rule without `continue` matches everything.
ConfigErrors lint_tenant_policy(const TenantPolicy& policy);

// What check-config knows of the main config that tenant files depend on (the policy stage
// does not see MainConfig: the config stage depends on it, not the other way round).
struct LintContext {
  bool smtp_configured = true;  // main config `smtp.url` is set; else email cannot deliver
};
// The findings above plus those that need the main config: every email destination (at
// its definition) while `smtp.url` is empty.
ConfigErrors lint_tenant_policy(const TenantPolicy& policy, const LintContext& context);

// `^[a-z0-9][a-z0-9_-]{0,62}$`: the id becomes part of a Kafka topic name.
bool valid_tenant_id(std::string_view id);

// Parses `sha256:<64 hex>` (hex in either case).
std::optional<TokenDigest> parse_token_digest(std::string_view text);
TokenDigest sha256(std::string_view data);

// Loads one tenant policy from YAML (JSON is YAML too) text; `file` names it in errors.
// Strict: see docs/policy.md. Every problem is returned at once; never throws.
// Control thread only (start-up, reload).
Result<TenantPolicy, ConfigErrors> load_tenant_policy(std::string_view text,
                                                      const std::string& file);
Result<TenantPolicy, ConfigErrors> load_tenant_policy_file(const std::filesystem::path& path);

struct TenantSet {
  std::vector<TenantPolicy> tenants;  // sorted by tenant_id
  ConfigErrors errors;                // every problem of every file
};

// Loads every `*.yaml`, `*.yml` and `*.json` file of `dir` (not recursive). Duplicate
// tenant ids and a token used by two tenants are errors naming both files.
TenantSet load_tenants_dir(const std::filesystem::path& dir);

}  // namespace alertgate
