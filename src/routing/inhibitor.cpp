#include "inhibitor.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cassert>

namespace alertgate::routing {

void Inhibitor::reset(const std::vector<InhibitRule>& rules) {
  rules_.clear();
  rules_.reserve(rules.size());
  for (const InhibitRule& r : rules) rules_.push_back(Compiled{&r, {}});
  released_ = true;  // whatever was held back by the old rules gets a new look
}

bool Inhibitor::all_match(const std::vector<Matcher>& ms, const LabelSet& labels) {
  return std::all_of(ms.begin(), ms.end(), [&](const Matcher& m) { return m.matches(labels); });
}

std::uint64_t Inhibitor::equal_hash(const InhibitRule& rule, const LabelSet& labels) {
  buf_.clear();
  for (const std::string& name : rule.equal) {
    if (const std::string* v = find_label(labels, name)) buf_.append(*v);
    buf_.push_back('\xff');
  }
  return XXH3_64bits(buf_.data(), buf_.size());
}

void Inhibitor::update(const LabelSet& labels, int delta) {
  for (Compiled& c : rules_) {
    if (!all_match(c.rule->source_match, labels)) continue;
    const std::uint64_t h = equal_hash(*c.rule, labels);
    if (delta > 0) {
      ++c.sources[h];
      continue;
    }
    auto it = c.sources.find(h);
    assert(it != c.sources.end() && it->second > 0);
    if (it == c.sources.end()) continue;
    if (--it->second == 0) {
      c.sources.erase(it);
      released_ = true;
    }
  }
}

bool Inhibitor::inhibited(const LabelSet& labels) {
  for (Compiled& c : rules_) {
    if (c.sources.empty() || !all_match(c.rule->target_match, labels)) continue;
    const std::uint64_t h = equal_hash(*c.rule, labels);
    auto it = c.sources.find(h);
    if (it == c.sources.end()) continue;
    std::uint32_t others = it->second;
    if (all_match(c.rule->source_match, labels)) --others;  // it is counted itself
    if (others > 0) return true;
  }
  return false;
}

}  // namespace alertgate::routing
