// OpenLoopSchedule: the intended send time of every request of an open-loop benchmark
// (as wrk2 does it). Request i's time is computed from i alone -- start + i / rate within
// its ramp step -- never from when request i-1 was actually sent, so a slow target cannot
// slow the schedule down (no coordinated omission) and rounding cannot accumulate (no
// drift). Latency is then measured from intended(i), not from the actual send.
//
// Immutable after make(): any thread may call it. No allocation after construction.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "alertgate/result.hpp"
#include "alertgate/time.hpp"

namespace alertgate::bench {

// One step of a ramp: `rate` requests/s (may be fractional) for `duration`.
struct RateStep {
  double rate = 0;
  std::chrono::nanoseconds duration{0};
};

class OpenLoopSchedule {
 public:
  // A duration for the last step: the schedule never ends.
  static constexpr std::chrono::nanoseconds kForever = std::chrono::nanoseconds::max();
  // total() of an endless schedule.
  static constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();
  // Rates are held exactly in micro-requests per second: 1e-6 <= rate <= 1e9.
  static constexpr double kMinRate = 1e-6;
  static constexpr double kMaxRate = 1e9;

  // Steps run back to back from `start`; step k's first request is due exactly when the
  // step begins. Errors (for the CLI to print): no steps, a rate out of range, a duration
  // <= 0, or kForever anywhere but the last step.
  static Result<OpenLoopSchedule> make(TimePoint start, const std::vector<RateStep>& steps);
  // One rate for `duration` (kForever: no end).
  static Result<OpenLoopSchedule> constant(TimePoint start, double rate,
                                           std::chrono::nanoseconds duration = kForever);

  // When request i should be sent, relative to start() / as a time point. i < total().
  // Saturates at nanoseconds::max() for an endless schedule past ~292 years.
  std::chrono::nanoseconds offset(std::uint64_t i) const noexcept;
  TimePoint intended(std::uint64_t i) const noexcept { return start_ + offset(i); }

  // How many requests are due by `now`, i.e. #{i : intended(i) <= now}, at most total().
  // A sender keeps a `sent` counter and sends requests [sent, due(now)).
  std::uint64_t due(TimePoint now) const noexcept { return due_after(now - start_); }
  std::uint64_t due_after(std::chrono::nanoseconds elapsed) const noexcept;

  // Number of requests of the whole schedule, kUnbounded if it never ends.
  std::uint64_t total() const noexcept { return total_; }
  // The ramp step request i belongs to (i < total()).
  std::size_t step_of(std::uint64_t i) const noexcept;
  std::size_t step_count() const noexcept { return steps_.size(); }
  // Number of requests in step k (kUnbounded for an endless last step).
  std::uint64_t step_requests(std::size_t k) const noexcept { return steps_[k].count; }

  TimePoint start() const noexcept { return start_; }

 private:
  struct Step {
    std::uint64_t rate_micro = 0;  // requests per 10^6 s
    std::int64_t begin_ns = 0;     // offset of the step's start from start_
    std::int64_t duration_ns = 0;  // kForever.count() for an endless last step
    std::uint64_t first = 0;       // index of the step's first request
    std::uint64_t count = 0;       // requests in the step, or kUnbounded
  };

  OpenLoopSchedule() = default;

  TimePoint start_{};
  std::vector<Step> steps_;
  std::uint64_t total_ = 0;
};

}  // namespace alertgate::bench
