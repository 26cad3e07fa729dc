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
#include <cstdint>
#include <string>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/tenant_policy.hpp"

namespace alertgate {

bool rule_matches(const Rule& rule, const Alert& alert);

// Clears `out` and appends the rules the alert takes (pointers into `policy`), in order.
// Returns out.size().
std::size_t route(const TenantPolicy& policy, const Alert& alert, std::vector<const Rule*>& out);

// The same decision as route(), from a compact copy of the policy's rule conditions built
// once per policy: severity as a bitmask, rating bounds, and the matchers in one flat array
// (cheap tests first, their strings in one arena; simple regexes such as `a|b` or `pre.*`
// become literal tests, the others point at the policy's compiled Matcher). A tenant's conditions
// fit in a few cache lines instead of one scattered heap object per rule, severity list and
// matcher, which is what route() pays for when thousands of tenants share a core's caches.
//
// Holds pointers into `policy`, which must outlive it. Immutable after construction: any
// thread; route() allocates nothing once `out` has capacity. Construction: control path.
class RouteTable {
 public:
  explicit RouteTable(const TenantPolicy& policy);

  // Clears `out` and appends the rules the alert takes, exactly as route() does.
  std::size_t route(const Alert& alert, std::vector<const Rule*>& out) const;

  // How a matcher's value is tested. Regexes that are a literal, an alternation of
  // literals, `lit.*`, `.*lit`, `.*` or `.+` are tested directly (no VM, no pointer chase).
  enum class Test : std::uint8_t { equal, any_of, prefix, suffix, any, non_empty, vm };

 private:
  struct Cond {               // one rule
    std::uint32_t first = 0;  // into matchers_
    std::uint16_t count = 0;
    std::uint8_t severities = 0;  // bit per Severity
    std::uint8_t min_rating = 0;
    std::uint8_t max_rating = 100;
    bool continue_matching = false;
  };
  // 16 bytes, so four matchers share a cache line: across many tenants, routing time is
  // mostly cache misses on these tables.
  struct Cmp {                   // one matcher
    std::uint32_t name_at = 0;   // into arena_
    std::uint32_t value_at = 0;  // into arena_: the literal(s), '\xff'-separated for any_of;
                                 // Test::vm: the index of its Matcher in regexes_
    std::uint16_t name_len = 0;
    std::uint16_t value_len = 0;
    Test kind = Test::equal;
    bool negate = false;  // != and !~
  };
  static_assert(sizeof(Cmp) == 16);
  static int cost(const Cmp& m) { return m.kind == Test::vm ? 1 : 0; }
  bool matches(const Cond& c, const Alert& alert) const;

  std::vector<Cond> conds_;
  std::vector<const Rule*> rules_;  // parallel to conds_
  std::vector<Cmp> matchers_;
  std::vector<const Matcher*> regexes_;  // the policy's compiled matchers, for Test::vm
  std::string arena_;
  const Rule* default_rule_ = nullptr;
};

}  // namespace alertgate
