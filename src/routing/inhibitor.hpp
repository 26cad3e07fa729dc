// Inhibitor: Alertmanager inhibition for one tenant, evaluated when a group flushes.
//
// Per inhibit rule it keeps an index hash(values of the `equal` labels) -> number of firing
// alerts matching `source_match`, updated by the dispatcher as alerts start and stop firing
// (add_source / remove_source with the same labels). A firing alert is inhibited when it
// matches `target_match` and some *other* firing source alert has the same `equal` values:
// an alert matching both sides does not inhibit itself (its own count is subtracted).
//
// Thread: the tenant's home shard only. No errors.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/tenant_policy.hpp"

namespace alertgate::routing {

class Inhibitor {
 public:
  // Compiles the rules of a policy (kept by pointer: the caller keeps the policy alive);
  // the counts start empty.
  void reset(const std::vector<InhibitRule>& rules);

  bool empty() const { return rules_.empty(); }
  void add_source(const LabelSet& labels) { update(labels, +1); }
  void remove_source(const LabelSet& labels) { update(labels, -1); }

  // True when a firing alert with `labels` is inhibited by another firing alert.
  bool inhibited(const LabelSet& labels);

  // True (once) when a source count dropped to zero since the last call: alerts held back
  // may be released, so the groups waiting on inhibition need a new look.
  bool take_released() {
    const bool r = released_;
    released_ = false;
    return r;
  }

 private:
  struct Compiled {
    const InhibitRule* rule = nullptr;
    std::unordered_map<std::uint64_t, std::uint32_t> sources;  // equal-hash -> firing count
  };

  static bool all_match(const std::vector<Matcher>& ms, const LabelSet& labels);
  std::uint64_t equal_hash(const InhibitRule& rule, const LabelSet& labels);
  void update(const LabelSet& labels, int delta);

  std::vector<Compiled> rules_;
  std::string buf_;
  bool released_ = false;
};

}  // namespace alertgate::routing
