// ActiveTable: fingerprint -> the latest Alert of a tenant, stored once. Groups refer to an
// entry by fingerprint; the entry remembers which groups it is in and, per group, whether
// that group notified its firing (so a resolve is sent once, and only after a firing).
//
// An entry lives while it is firing or while some group still refers to it; the
// dispatcher erases it when it is resolved and no group refers to it any more.
//
// Thread: the tenant's home shard only. No errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/time.hpp"

namespace alertgate::routing {

inline constexpr TimePoint kNever = TimePoint::max();

struct Membership {
  std::uint32_t slot = 0;  // group slot (GroupTable)
  bool notified = false;   // that group notified this alert firing (and not its resolve yet)
};

struct ActiveEntry {
  Alert alert;                     // the latest one received (status kept current)
  std::vector<Membership> groups;  // usually one or two
  TimePoint expiry_at = kNever;    // the queued expiry timer, kNever when none
  std::uint32_t expiry_seq = 0;    // its sequence number (TimerHeap lazy deletion)

  bool firing() const { return alert.status == AlertStatus::firing; }
  Membership* membership(std::uint32_t slot) {
    for (Membership& m : groups) {
      if (m.slot == slot) return &m;
    }
    return nullptr;
  }
  void leave(std::uint32_t slot);
};

class ActiveTable {
 public:
  explicit ActiveTable(std::size_t expected) { map_.reserve(expected); }

  ActiveEntry* find(std::uint64_t fp) {
    auto it = map_.find(fp);
    return it == map_.end() ? nullptr : &it->second;
  }
  const ActiveEntry* find(std::uint64_t fp) const {
    auto it = map_.find(fp);
    return it == map_.end() ? nullptr : &it->second;
  }
  // Inserts a new entry for a firing alert (the fingerprint must not be present).
  ActiveEntry& insert(Alert alert);
  void erase(std::uint64_t fp);

  std::size_t size() const { return map_.size(); }
  std::size_t firing() const { return firing_; }
  // Keeps the firing count in step with a status change the caller made.
  void on_status_change(bool now_firing) {
    if (now_firing)
      ++firing_;
    else
      --firing_;
  }

  template <class F>
  void for_each(F&& f) {
    for (auto& [fp, entry] : map_) f(fp, entry);
  }

 private:
  std::unordered_map<std::uint64_t, ActiveEntry> map_;
  std::size_t firing_ = 0;
};

}  // namespace alertgate::routing
