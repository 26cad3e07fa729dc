#include <algorithm>

#include "alertgate/router.hpp"

namespace alertgate {

const Rule* match_rule(const TenantPolicy& policy, const Alert& alert) {
  for (const auto& rule : policy.rules) {
    if (rule.severities.empty() || std::find(rule.severities.begin(), rule.severities.end(),
                                             alert.severity) != rule.severities.end()) {
      return &rule;
    }
  }
  return nullptr;
}

}  // namespace alertgate
