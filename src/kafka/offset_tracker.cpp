#include "kafka/offset_tracker.hpp"

#include <algorithm>

namespace alertgate::kafka {

namespace {

bool before(const auto& entry, std::int64_t offset) { return entry.offset < offset; }

}  // namespace

std::uint32_t OffsetTracker::assign(std::string_view topic, std::int32_t partition) {
  std::uint32_t slot = find(topic, partition);
  if (slot == kNoSlot) {
    auto it = by_topic_.find(topic);
    if (it == by_topic_.end())
      it = by_topic_.emplace(std::string(topic), std::vector<std::uint32_t>{}).first;
    auto& index = it->second;
    const auto p = static_cast<std::size_t>(partition);
    if (index.size() <= p) index.resize(p + 1, kNoSlot);
    if (index[p] == kNoSlot) {
      index[p] = static_cast<std::uint32_t>(slots_.size());
      Slot& s = slots_.emplace_back();
      s.topic = std::string(topic);
      s.partition = partition;
    }
    slot = index[p];
  }
  Slot& s = slots_[slot];
  if (s.active) {  // assigned again without a revoke: start over
    in_flight_ -= s.undone;
    uncommitted_ -= s.window.size();
  }
  s.active = true;
  s.epoch = next_epoch_++;
  if (next_epoch_ == 0) next_epoch_ = 1;  // 0 stays "no message"
  s.window.clear();
  s.undone = 0;
  s.commit_point = kNoOffset;
  s.committed = kNoOffset;
  return slot;
}

std::uint32_t OffsetTracker::find(std::string_view topic, std::int32_t partition) const {
  const auto it = by_topic_.find(topic);
  if (it == by_topic_.end() || partition < 0) return kNoSlot;
  const auto p = static_cast<std::size_t>(partition);
  return p < it->second.size() ? it->second[p] : kNoSlot;
}

MessageToken OffsetTracker::track(std::uint32_t slot, std::int64_t offset) {
  Slot& s = slots_[slot];
  if (s.window.empty() || s.window.back().offset < offset) {
    s.window.push_back(Entry{offset, false});
    ++s.undone;
    ++in_flight_;
    ++uncommitted_;
  } else {
    // Not past the highest offset seen: consumed again after a seek or an offset reset.
    auto it = std::lower_bound(s.window.begin(), s.window.end(), offset, before<Entry>);
    if (it != s.window.end() && it->offset == offset) {
      if (it->done) {
        it->done = false;
        ++s.undone;
        ++in_flight_;
      }
    } else {
      s.window.insert(it, Entry{offset, false});
      ++s.undone;
      ++in_flight_;
      ++uncommitted_;
    }
  }
  if (s.commit_point == kNoOffset) {
    // The first message since the assignment: the group is already there (its committed
    // offset, or where auto.offset.reset put it), so nothing is due yet.
    s.committed = offset;
  }
  s.commit_point = s.window.front().offset;
  return MessageToken{slot, s.epoch, offset};
}

OffsetTracker::DoneResult OffsetTracker::done(const MessageToken& token) {
  if (token.slot >= slots_.size()) return DoneResult::stale;
  Slot& s = slots_[token.slot];
  if (!s.active || s.epoch != token.epoch) return DoneResult::stale;
  auto it = std::lower_bound(s.window.begin(), s.window.end(), token.offset, before<Entry>);
  if (it == s.window.end() || it->offset != token.offset || it->done) {
    return DoneResult::duplicate;  // done before (and maybe already below the commit point)
  }
  it->done = true;
  --s.undone;
  --in_flight_;
  advance(s);
  return DoneResult::applied;
}

void OffsetTracker::advance(Slot& s) {
  if (s.window.empty() || !s.window.front().done) return;
  std::int64_t last = s.window.front().offset;
  while (!s.window.empty() && s.window.front().done) {
    last = s.window.front().offset;
    s.window.pop_front();
    --uncommitted_;
  }
  s.commit_point = s.window.empty() ? last + 1 : s.window.front().offset;
}

void OffsetTracker::forget_committed() {
  for (Slot& s : slots_) s.committed = kNoOffset;
}

std::int64_t OffsetTracker::revoke(std::uint32_t slot) {
  Slot& s = slots_[slot];
  if (!s.active) return kNoOffset;
  in_flight_ -= s.undone;
  uncommitted_ -= s.window.size();
  s.active = false;
  s.window.clear();
  s.undone = 0;
  return s.commit_point;
}

std::vector<std::uint32_t> OffsetTracker::active_slots() const {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].active) out.push_back(i);
  }
  return out;
}

}  // namespace alertgate::kafka
