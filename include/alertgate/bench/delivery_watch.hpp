// DeliveryWatch: when `alertgate bench --sink-only` stops waiting for deliveries. It is fed
// the sink's distinct-alert count with the time it was read, and says which condition
// ended the wait, checked in this order:
//   expected  the count reached `expected` (when expected > 0);
//   timeout   `timeout` passed since the watch started, whatever arrived;
//   idle      at least one alert arrived and the count has not grown for `idle` (a backlog
//             shorter than announced, or alerts that will never come, must not hang the run).
// Before the first alert only the timeout ends the wait (the sender may start late).
//
// A pure state machine: time is passed in (steady clock), nothing sleeps. One thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace alertgate::bench {

enum class WaitEnd { waiting, expected, timeout, idle };

// "waiting", "expected", "timeout", "idle" (the report's `stopped_by`).
std::string_view to_string(WaitEnd end);

struct DeliveryWatchOptions {
  std::uint64_t expected = 0;  // 0: no count to reach (idle or timeout ends the wait)
  std::chrono::nanoseconds timeout = std::chrono::minutes(5);
  std::chrono::nanoseconds idle = std::chrono::seconds(10);
};

class DeliveryWatch {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  DeliveryWatch(DeliveryWatchOptions options, TimePoint start)
      : options_(options), start_(start), last_growth_(start) {}

  // The count read at `now` (times must not go backwards). Returns waiting until a
  // condition holds, then that condition; once ended, the same answer whatever follows.
  WaitEnd observe(std::uint64_t distinct, TimePoint now);

  WaitEnd ended() const { return end_; }

 private:
  DeliveryWatchOptions options_;
  TimePoint start_;
  TimePoint last_growth_;
  std::uint64_t last_count_ = 0;
  WaitEnd end_ = WaitEnd::waiting;
};

}  // namespace alertgate::bench
