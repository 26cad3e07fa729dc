#include "group_table.hpp"

#include <xxhash.h>

#include <cassert>
#include <utility>

namespace alertgate::routing {

std::uint64_t GroupTable::key_of(const Rule& rule, const Alert& alert) {
  const Grouping& g = rule.grouping;
  if (!g.enabled || g.by_all) {
    const std::uint64_t fp = alert.fingerprint;
    return XXH3_64bits_withSeed(&fp, sizeof fp, rule.key);
  }
  // Absent and empty read the same, as in Alertmanager (an empty label is no label).
  // 0xFF never occurs in UTF-8, so the encoding is unambiguous.
  buf_.clear();
  for (const std::string& name : g.by) {
    if (const std::string* v = find_label(alert.labels, name)) buf_.append(*v);
    buf_.push_back('\xff');
  }
  return XXH3_64bits_withSeed(buf_.data(), buf_.size(), rule.key);
}

std::uint32_t GroupTable::create(std::uint64_t key,
                                 const std::shared_ptr<const TenantPolicy>& policy,
                                 const Rule& rule, const Alert& alert, TimePoint now) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Group& g = slots_[slot];
  g.key = key;
  g.policy = policy;
  g.rule = &rule;
  g.labels.clear();
  if (rule.grouping.enabled && !rule.grouping.by_all) {
    for (const std::string& name : rule.grouping.by) {
      const std::string* v = find_label(alert.labels, name);
      if (v != nullptr && !v->empty()) g.labels.push_back(Label{name, *v});
    }
    sort_labels(g.labels);
  }
  g.members.clear();
  g.created = now;
  g.last_flush = g.last_notify = g.muted_until = TimePoint{};
  g.next_at = kNever;
  g.live = true;
  g.flushed = g.notified = g.changed = g.waiting_inhibit = false;
  index_.emplace(key, slot);
  return slot;
}

void GroupTable::release(std::uint32_t slot) {
  Group& g = slots_[slot];
  assert(g.live && g.members.empty());
  index_.erase(g.key);
  g.live = false;
  g.next_at = kNever;
  g.policy.reset();  // an old policy goes as soon as its last group does
  g.rule = nullptr;
  g.labels.clear();
  if (g.members.capacity() > 16) std::vector<std::uint64_t>().swap(g.members);  // else reused
  free_.push_back(slot);
}

}  // namespace alertgate::routing
