// Routing (first cut): which rule of a tenant's policy an alert takes. Rules are tried in
// file order; the first whose severity list contains the alert's severity (or that has no
// severity list) wins. Matchers, `continue`, grouping and dedup come with the policy issue.
// Pure function; any thread.
#pragma once

#include "alertgate/alert.hpp"
#include "alertgate/tenant_policy.hpp"

namespace alertgate {

// The matching rule, or nullptr when none matches.
const Rule* match_rule(const TenantPolicy& policy, const Alert& alert);

}  // namespace alertgate
