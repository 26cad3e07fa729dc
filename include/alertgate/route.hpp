// Route evaluation: which rules of a tenant's policy an alert takes.
//
// Rules are tried in file order. A rule matches when the alert's severity is in its
// `severity` list (or the list is empty), every `match` matcher matches the alert's labels,
// and min_rating <= rating <= max_rating. The first matching rule is taken; when it has
// `continue: true` the following rules are tried as well (Alertmanager semantics), so an
// alert may take several rules. When no rule matched, the tenant's `default` rule is taken
// (if it has one); otherwise the alert takes no rule (it is counted as unrouted).
//
// Pure functions over immutable data: any thread, no allocation once `out` has capacity,
// no errors.
#pragma once

#include <cstddef>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/tenant_policy.hpp"

namespace alertgate {

bool rule_matches(const Rule& rule, const Alert& alert);

// Clears `out` and appends the rules the alert takes (pointers into `policy`), in order.
// Returns out.size().
std::size_t route(const TenantPolicy& policy, const Alert& alert, std::vector<const Rule*>& out);

}  // namespace alertgate
