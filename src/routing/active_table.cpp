#include "active_table.hpp"

#include <utility>

namespace alertgate::routing {

void ActiveEntry::leave(std::uint32_t slot) {
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].slot == slot) {
      groups[i] = groups.back();
      groups.pop_back();
      return;
    }
  }
}

ActiveEntry& ActiveTable::insert(Alert alert) {
  const std::uint64_t fp = alert.fingerprint;
  auto [it, inserted] = map_.try_emplace(fp);
  it->second.alert = std::move(alert);
  if (it->second.firing()) ++firing_;
  return it->second;
}

void ActiveTable::erase(std::uint64_t fp) {
  auto it = map_.find(fp);
  if (it == map_.end()) return;
  if (it->second.firing()) --firing_;
  map_.erase(it);
}

}  // namespace alertgate::routing
