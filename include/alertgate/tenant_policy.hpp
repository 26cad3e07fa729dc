// Tenant policy: what one `tenants_dir/*.yaml` file says. Loaded at start-up and reload
// (never on the data path), validated whole: every problem is reported with its position.
//
// Format (the seed policy, plus `tokens`):
//   tenant_id: "t-1024"               # ^[a-z0-9][a-z0-9_-]{0,62}$
//   tokens: ["sha256:<64 hex>"]       # SHA-256 of the bearer tokens this tenant accepts
//   rules:
//     - severity: "critical"          # one value or a list; omitted = any severity
//       destinations:
//         - type: "slack"
//           webhook: "https://hooks.slack.com/services/XXX/YYY/ZZZ"
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/config_error.hpp"
#include "alertgate/result.hpp"

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
  int line = 0;             // position in the tenant file
  int column = 0;
};

// How a destination is shown in logs and API answers: secrets redacted,
// e.g. `slack(hooks.slack.com/…/***)` (the path of a Slack webhook is its secret),
// `webhook(https://host/***)`, `pagerduty(abcd***)`, `email(ops-team@example.com)`,
// `log(stdout)`.
std::string describe(const Destination& d);

struct Rule {
  std::vector<Severity> severities;  // empty = any severity
  std::vector<Destination> destinations;
  int line = 0;
  int column = 0;
};

struct TenantPolicy {
  std::string tenant_id;
  std::vector<TokenDigest> tokens;
  std::vector<Rule> rules;
  std::string file;  // where it was loaded from
};

// `^[a-z0-9][a-z0-9_-]{0,62}$`: the id becomes part of a Kafka topic name.
bool valid_tenant_id(std::string_view id);

// Parses `sha256:<64 hex>` (hex in either case).
std::optional<TokenDigest> parse_token_digest(std::string_view text);
TokenDigest sha256(std::string_view data);

// Loads one tenant policy from YAML (JSON is YAML too) text; `file` names it in errors.
// Strict: see docs/configuration.md. Every problem is returned at once; never throws.
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
