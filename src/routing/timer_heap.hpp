// TimerHeap: the dispatcher's one min-heap of deadlines, with lazy deletion.
//
// An entry names a group slot or an active-table fingerprint
// (an alert's ends_at). Nothing is ever removed from the middle: a caller that moves or
// cancels a deadline just pushes the new one, and the owner of the heap drops entries that
// no longer agree with its state when they reach the top (a sequence number per push, see
// State::live()).
//
// Thread: the tenant's home shard only. No allocation once the vector has grown.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "alertgate/time.hpp"

namespace alertgate::routing {

struct Timer {
  enum class Kind : std::uint8_t { group, expiry };
  TimePoint at{};
  std::uint64_t id = 0;   // group slot, or fingerprint
  std::uint32_t seq = 0;  // must equal the owner's current timer sequence, else stale
  Kind kind = Kind::group;
};

class TimerHeap {
 public:
  void push(const Timer& t) {
    heap_.push_back(t);
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  const Timer& top() const { return heap_.front(); }
  void pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }

  // Keeps only the entries `keep` accepts, in O(n): used when stale entries pile up.
  template <class Pred>
  void compact(Pred keep) {
    heap_.erase(
        std::remove_if(heap_.begin(), heap_.end(), [&](const Timer& t) { return !keep(t); }),
        heap_.end());
    std::make_heap(heap_.begin(), heap_.end(), later);
  }

 private:
  static bool later(const Timer& a, const Timer& b) { return a.at > b.at; }
  std::vector<Timer> heap_;
};

}  // namespace alertgate::routing
