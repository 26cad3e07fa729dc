// Helpers for the tenant policy unit tests.
#pragma once

#include <string>

#include "alertgate/tenant_policy.hpp"

namespace alertgate::policy_test {

// All errors of loading `text` as "line:col: message", one per line; "" when it loads.
inline std::string errors_of(const std::string& text) {
  auto r = load_tenant_policy(text, "t.yaml");
  if (r) return "";
  std::string out;
  for (const ConfigError& e : r.error()) {
    out += std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message + "\n";
  }
  return out;
}

// Loads `text`; on failure the result holds the errors (see errors_of for the text).
inline Result<TenantPolicy, ConfigErrors> load(const std::string& text) {
  return load_tenant_policy(text, "t.yaml");
}

// "tenant_id: a\n" + `body`.
inline std::string tenant(const std::string& body) { return "tenant_id: a\n" + body; }

}  // namespace alertgate::policy_test
