#include "alertgate/route.hpp"

#include <algorithm>

namespace alertgate {

bool rule_matches(const Rule& rule, const Alert& alert) {
  if (!rule.severities.empty() && std::find(rule.severities.begin(), rule.severities.end(),
                                            alert.severity) == rule.severities.end()) {
    return false;
  }
  if (alert.rating < rule.min_rating || alert.rating > rule.max_rating) return false;
  return std::all_of(rule.match.begin(), rule.match.end(),
                     [&](const Matcher& m) { return m.matches(alert.labels); });
}

std::size_t route(const TenantPolicy& policy, const Alert& alert, std::vector<const Rule*>& out) {
  out.clear();
  for (const Rule& rule : policy.rules) {
    if (!rule_matches(rule, alert)) continue;
    out.push_back(&rule);
    if (!rule.continue_matching) break;
  }
  if (out.empty() && policy.default_rule) out.push_back(&*policy.default_rule);
  return out.size();
}

}  // namespace alertgate
