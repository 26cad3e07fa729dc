#include "alertgate/bench/open_loop_schedule.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

namespace alertgate::bench {

namespace {

// All arithmetic is exact integer arithmetic in 128 bits: i * 10^15 / rate_micro is the
// offset in ns of request i (10^9 ns/s * 10^6 for the micro-rate). Floating point would
// round differently at each i; integers give the same answer for i whatever was computed
// before, so there is nothing to drift.
__extension__ typedef unsigned __int128 U128;
constexpr U128 kNsPerMicroRate = 1'000'000'000'000'000;  // 10^15
constexpr auto kMaxNs = static_cast<U128>(std::numeric_limits<std::int64_t>::max());

// Offset from the step start of the step's request j.
std::int64_t step_offset(std::uint64_t rate_micro, std::uint64_t j) {
  const U128 ns = static_cast<U128>(j) * kNsPerMicroRate / rate_micro;
  return static_cast<std::int64_t>(std::min(ns, kMaxNs));
}

// #{j : step_offset(j) <= e} for e >= 0: floor(j K / r) <= e  <=>  j < (e + 1) r / K.
std::uint64_t step_due(std::uint64_t rate_micro, std::int64_t e) {
  const U128 n = (static_cast<U128>(e) + 1) * rate_micro;
  const U128 due = (n + kNsPerMicroRate - 1) / kNsPerMicroRate;
  return static_cast<std::uint64_t>(
      std::min(due, static_cast<U128>(OpenLoopSchedule::kUnbounded - 1)));
}

}  // namespace

Result<OpenLoopSchedule> OpenLoopSchedule::make(TimePoint start,
                                                const std::vector<RateStep>& steps) {
  if (steps.empty()) return unexpected(Error{"bench schedule: no rate given"});
  OpenLoopSchedule s;
  s.start_ = start;
  s.steps_.reserve(steps.size());
  std::int64_t begin = 0;
  std::uint64_t first = 0;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const auto& in = steps[k];
    if (!(in.rate >= kMinRate && in.rate <= kMaxRate)) {
      return unexpected(
          Error{fmt::format("bench schedule: step {}: rate {} is outside {}..{} requests/s", k + 1,
                            in.rate, kMinRate, kMaxRate)});
    }
    if (in.duration.count() <= 0) {
      return unexpected(Error{fmt::format("bench schedule: step {}: duration must be > 0", k + 1)});
    }
    const bool last = k + 1 == steps.size();
    if (in.duration == kForever && !last) {
      return unexpected(
          Error{fmt::format("bench schedule: step {}: only the last step may be endless", k + 1)});
    }
    Step st;
    st.rate_micro = static_cast<std::uint64_t>(std::llround(in.rate * 1e6));
    st.begin_ns = begin;
    st.duration_ns = in.duration.count();
    st.first = first;
    if (in.duration == kForever) {
      st.count = kUnbounded;
    } else {
      if (std::numeric_limits<std::int64_t>::max() - begin < st.duration_ns) {
        return unexpected(Error{"bench schedule: total duration is longer than 292 years"});
      }
      // Requests whose offset lies in [0, duration): the ones due by duration - 1 ns.
      st.count = step_due(st.rate_micro, st.duration_ns - 1);
      begin += st.duration_ns;
      first += st.count;
    }
    s.steps_.push_back(st);
  }
  s.total_ = s.steps_.back().count == kUnbounded ? kUnbounded : first;
  return s;
}

Result<OpenLoopSchedule> OpenLoopSchedule::constant(TimePoint start, double rate,
                                                    std::chrono::nanoseconds duration) {
  return make(start, {RateStep{rate, duration}});
}

std::size_t OpenLoopSchedule::step_of(std::uint64_t i) const noexcept {
  // The last step whose first request is <= i (steps with no request share a `first`;
  // upper_bound skips past them to the one that holds i).
  const auto it = std::upper_bound(steps_.begin(), steps_.end(), i,
                                   [](std::uint64_t v, const Step& st) { return v < st.first; });
  return static_cast<std::size_t>(it - steps_.begin()) - 1;
}

std::chrono::nanoseconds OpenLoopSchedule::offset(std::uint64_t i) const noexcept {
  const Step& st = steps_[step_of(i)];
  const std::int64_t in_step = step_offset(st.rate_micro, i - st.first);
  if (in_step > std::numeric_limits<std::int64_t>::max() - st.begin_ns) {
    return std::chrono::nanoseconds::max();
  }
  return std::chrono::nanoseconds(st.begin_ns + in_step);
}

std::uint64_t OpenLoopSchedule::due_after(std::chrono::nanoseconds elapsed) const noexcept {
  const std::int64_t e = elapsed.count();
  if (e < 0) return 0;
  for (const Step& st : steps_) {
    if (st.count == kUnbounded || e < st.begin_ns + st.duration_ns) {
      return st.first + std::min(st.count, step_due(st.rate_micro, e - st.begin_ns));
    }
  }
  return total_;
}

}  // namespace alertgate::bench
