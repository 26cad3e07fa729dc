// OffsetTracker: which consumed messages of each assigned partition are done, and so which
// offset may be committed (at-least-once: only up to the lowest offset not yet done).
//
// Owns, per partition ever assigned, a slot: its name, the offsets handed out and not yet
// covered by the commit point (a window in offset order; offsets may have gaps, e.g. in
// compacted topics), the commit point and what was last sent to the broker. Slots are
// reused when a partition comes back; every assignment gets a new epoch, so a token from an
// earlier assignment (a late done() after a revoke) is recognised and ignored.
//
// Pure and single-threaded: the Consumer's poll thread owns it. No I/O, no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/kafka/message_token.hpp"

namespace alertgate::kafka {

class OffsetTracker {
 public:
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;
  static constexpr std::int64_t kNoOffset = -1;

  enum class DoneResult : std::uint8_t {
    applied,    // the message is now done
    stale,      // its partition was revoked (or re-assigned) since: ignored
    duplicate,  // already done: ignored
  };

  // Starts tracking `topic`/`partition` (a new assignment: any earlier state of it is gone).
  // Returns its slot.
  std::uint32_t assign(std::string_view topic, std::int32_t partition);
  // The slot of an assigned partition, or kNoSlot.
  std::uint32_t find(std::string_view topic, std::int32_t partition) const;
  bool active(std::uint32_t slot) const { return slot < slots_.size() && slots_[slot].active; }
  const std::string& topic(std::uint32_t slot) const { return slots_[slot].topic; }
  std::int32_t partition(std::uint32_t slot) const { return slots_[slot].partition; }

  // A message of an active slot was handed to the app. Offsets normally increase; one that
  // does not (the client re-fetched after a seek or reset) is tracked again, undone.
  MessageToken track(std::uint32_t slot, std::int64_t offset);
  DoneResult done(const MessageToken& token);

  // The offset to commit for `slot` (the next one to consume: the lowest offset not done,
  // or one past the highest done) — kNoOffset if nothing was consumed since assign.
  std::int64_t commit_point(std::uint32_t slot) const { return slots_[slot].commit_point; }
  // commit_point, when it differs from what was last passed to mark_committed (or from the
  // first offset consumed since assign, where the group already is).
  bool commit_due(std::uint32_t slot) const {
    const Slot& s = slots_[slot];
    return s.active && s.commit_point != kNoOffset && s.commit_point != s.committed;
  }
  void mark_committed(std::uint32_t slot, std::int64_t offset) { slots_[slot].committed = offset; }
  std::int64_t committed(std::uint32_t slot) const { return slots_[slot].committed; }
  // After a failed commit: everything is due again.
  void forget_committed();

  // Stops tracking (a revoke); returns the commit point at that moment. Its undone messages
  // are forgotten: their later done() calls are stale.
  std::int64_t revoke(std::uint32_t slot);

  // Messages handed out and not done, over all active slots.
  std::size_t in_flight() const { return in_flight_; }
  // Messages handed out at or above their partition's commit point (not done, or done but
  // behind one that is not): what a crash would consume again, and the tracker's memory.
  std::size_t uncommitted() const { return uncommitted_; }
  std::size_t in_flight(std::uint32_t slot) const { return slots_[slot].undone; }
  // Active slots, in slot order.
  std::vector<std::uint32_t> active_slots() const;

 private:
  struct Entry {
    std::int64_t offset;
    bool done;
  };
  struct Slot {
    std::string topic;
    std::int32_t partition = 0;
    std::uint32_t epoch = 0;
    bool active = false;
    std::deque<Entry> window;  // increasing offsets; front is never done
    std::size_t undone = 0;
    std::int64_t commit_point = kNoOffset;
    std::int64_t committed = kNoOffset;
  };
  void advance(Slot& s);

  std::vector<Slot> slots_;
  std::map<std::string, std::vector<std::uint32_t>, std::less<>> by_topic_;  // [partition]
  std::uint32_t next_epoch_ = 1;
  std::size_t in_flight_ = 0;
  std::size_t uncommitted_ = 0;
};

}  // namespace alertgate::kafka
