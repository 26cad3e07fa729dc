// lint_tenant_policy: rules that can never match. A rule without `continue` and without
// match/rating bounds takes every alert of its severities, so a later rule whose severities
// are all taken by such rules is unreachable (and so is `default` once all four are taken).
#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "alertgate/tenant_policy.hpp"

namespace alertgate {

namespace {

constexpr std::size_t kSeverityCount = 4;

// Takes every alert of its severities (all severities when the list is empty).
bool takes_all_of_its_severities(const Rule& r) {
  return r.match.empty() && r.min_rating == 0 && r.max_rating == 100 && !r.continue_matching;
}

std::string at(const Rule& r) { return std::to_string(r.line) + ":" + std::to_string(r.column); }

}  // namespace

ConfigErrors lint_tenant_policy(const TenantPolicy& policy) {
  ConfigErrors out;
  // For each severity, the first earlier rule that takes all of it.
  std::array<const Rule*, kSeverityCount> taken_by{};
  auto warn = [&](const Rule& r, std::string message) {
    out.push_back({policy.file, r.line, r.column, "warning: " + std::move(message)});
  };
  auto shadowing = [&](const std::vector<Severity>& severities) {
    // Distinct rules that together take every severity listed, or empty when one is free.
    std::vector<const Rule*> by;
    auto covers = [&](Severity s) {
      const Rule* r = taken_by[static_cast<std::size_t>(s)];
      if (r == nullptr) return false;
      if (std::find(by.begin(), by.end(), r) == by.end()) by.push_back(r);
      return true;
    };
    bool all = true;
    if (severities.empty()) {
      for (std::size_t s = 0; s < kSeverityCount; ++s)
        all = covers(static_cast<Severity>(s)) && all;
    } else {
      for (Severity s : severities) all = covers(s) && all;
    }
    if (!all) by.clear();
    // A catch-all rule alone explains it best.
    const auto catch_all =
        std::find_if(by.begin(), by.end(), [](const Rule* r) { return r->severities.empty(); });
    if (catch_all != by.end()) by = {*catch_all};
    std::sort(by.begin(), by.end(), [](const Rule* a, const Rule* b) { return a->line < b->line; });
    return by;
  };
  auto describe_shadow = [&](const std::vector<const Rule*>& by) {
    if (by.size() == 1 && by[0]->severities.empty()) {
      return "the rule at " + at(*by[0]) +
             " takes every alert (no severity, match or rating bounds, no continue)";
    }
    std::string rules;
    for (const Rule* r : by) rules += (rules.empty() ? "" : ", ") + at(*r);
    return std::string(by.size() == 1 ? "the rule at " : "the rules at ") + rules +
           (by.size() == 1 ? " takes every alert of its severities"
                           : " take every alert of their severities") +
           " (no match or rating bounds, no continue)";
  };

  for (const Rule& rule : policy.rules) {
    const auto by = shadowing(rule.severities);
    if (!by.empty()) {
      warn(rule, "rule can never match: " + describe_shadow(by));
      continue;
    }
    if (!takes_all_of_its_severities(rule)) continue;
    if (rule.severities.empty()) {
      for (auto& t : taken_by) t = t != nullptr ? t : &rule;
    } else {
      for (Severity s : rule.severities) {
        auto& t = taken_by[static_cast<std::size_t>(s)];
        if (t == nullptr) t = &rule;
      }
    }
  }
  if (policy.default_rule) {
    const auto by = shadowing({});
    if (!by.empty()) {
      warn(*policy.default_rule, "\"default\" can never be used: " + describe_shadow(by));
    }
  }
  return out;
}

ConfigErrors lint_tenant_policy(const TenantPolicy& policy, const LintContext& context) {
  ConfigErrors out = lint_tenant_policy(policy);
  if (context.smtp_configured) return out;
  // Once per definition: a named destination is copied into every rule that uses it.
  std::vector<std::pair<int, int>> seen;
  auto check = [&](const Destination& d) {
    if (d.type != DestinationType::email) return;
    const std::pair<int, int> at{d.line, d.column};
    if (std::find(seen.begin(), seen.end(), at) != seen.end()) return;
    seen.push_back(at);
    out.push_back({policy.file, d.line, d.column,
                   "warning: email destination " + describe(d) +
                       " cannot deliver: the main config has no smtp.url (its notifications "
                       "go to the dead-letter store)"});
  };
  for (const Destination& d : policy.named_destinations) check(d);
  auto check_rule = [&](const Rule& r) {
    for (const Destination& d : r.destinations) check(d);
    if (r.fallback) check(*r.fallback);
  };
  for (const Rule& r : policy.rules) check_rule(r);
  if (policy.default_rule) check_rule(*policy.default_rule);
  return out;
}

}  // namespace alertgate
