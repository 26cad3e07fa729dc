#include "alertgate/bench/open_loop_schedule.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>

namespace alertgate::bench {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

const TimePoint kStart = TimePoint(seconds(1'780'000'000));

OpenLoopSchedule constant(double rate, nanoseconds duration = OpenLoopSchedule::kForever) {
  auto s = OpenLoopSchedule::constant(kStart, rate, duration);
  REQUIRE(s.ok());
  return std::move(s).value();
}

// Walks requests 0..n-1 and checks what "no drift" means: every offset is the exact
// i * 10^9 / rate rounded down, whole seconds land exactly, gaps never stray by more than
// one nanosecond from 10^9 / rate, and due() agrees with offset() on both sides.
void check_no_drift(double rate, std::uint64_t n) {
  const auto s = constant(rate);
  const auto per_second = static_cast<std::uint64_t>(rate);
  const auto gap = static_cast<std::int64_t>(1e9 / rate);  // floor
  std::int64_t prev = -1;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::int64_t off = s.offset(i).count();
    if (i > 0) {
      const std::int64_t d = off - prev;
      if (d != gap && d != gap + 1) FAIL("request " << i << " gap " << d);
    }
    if (i % per_second == 0 && off != static_cast<std::int64_t>(i / per_second) * 1'000'000'000) {
      FAIL("request " << i << " at " << off << " ns, not on a whole second");
    }
    if (i % 97 == 0) {
      if (s.due_after(nanoseconds(off)) != i + 1) FAIL("due at request " << i);
      if (off > 0 && s.due_after(nanoseconds(off - 1)) != i) FAIL("due before request " << i);
    }
    prev = off;
  }
  // The last one, against the closed form: still exact after n requests.
  const auto last = static_cast<long double>(n - 1) * 1e9L / static_cast<long double>(rate);
  CHECK(s.offset(n - 1).count() == static_cast<std::int64_t>(std::floor(last)));
  CHECK(s.intended(n - 1) == kStart + s.offset(n - 1));
}

}  // namespace

TEST_CASE("bench: schedule has no drift after 10^7 requests at 3/s") {
  check_no_drift(3, 10'000'000);
}

TEST_CASE("bench: schedule has no drift after 10^7 requests at 45,000/s") {
  check_no_drift(45'000, 10'000'000);
  const auto s = constant(45'000);
  CHECK(s.offset(10'000'000).count() == 222'222'222'222);  // 10^7 / 45,000 s, floored
  CHECK(s.due(kStart + seconds(60)) == 60 * 45'000 + 1);   // the one at exactly 60 s counts
}

TEST_CASE("bench: schedule handles fractional rates and time before the start") {
  const auto half = constant(0.5);
  CHECK(half.offset(1) == seconds(2));
  CHECK(half.offset(1'000'000) == seconds(2'000'000));
  const auto odd = constant(2.5);
  CHECK(odd.offset(5) == seconds(2));
  CHECK(odd.offset(7) == milliseconds(2800));
  CHECK(odd.due(kStart - nanoseconds(1)) == 0);
  CHECK(odd.due(kStart) == 1);
  CHECK(odd.due(kStart + milliseconds(399)) == 1);
  CHECK(odd.due(kStart + milliseconds(400)) == 2);
  CHECK(odd.total() == OpenLoopSchedule::kUnbounded);
  CHECK(odd.start() == kStart);
}

TEST_CASE("bench: schedule with a duration ends, and due() stops at the total") {
  const auto s = constant(3, seconds(10));
  CHECK(s.total() == 30);  // 0, 1/3, 2/3, ..., 9 2/3 s: the one at 10 s is outside
  CHECK(s.offset(29).count() == 9'666'666'666);
  CHECK(s.due(kStart + seconds(10)) == 30);
  CHECK(s.due(kStart + seconds(3600)) == 30);
  CHECK(s.due(kStart + nanoseconds(9'666'666'665)) == 29);
}

TEST_CASE("bench: schedule ramp steps start exactly on their boundaries") {
  auto made = OpenLoopSchedule::make(
      kStart, {{100, seconds(1)}, {3, seconds(1)}, {1000, seconds(2)}, {10, seconds(5)}});
  REQUIRE(made.ok());
  const auto& s = *made;
  REQUIRE(s.step_count() == 4);
  CHECK(s.step_requests(0) == 100);
  CHECK(s.step_requests(1) == 3);  // 1 s, 1 1/3 s, 1 2/3 s
  CHECK(s.step_requests(2) == 2000);
  CHECK(s.step_requests(3) == 50);
  CHECK(s.total() == 2153);

  CHECK(s.offset(99) == milliseconds(990));
  CHECK(s.offset(100) == seconds(1));  // step 2's first request: on the boundary
  CHECK(s.offset(102).count() == 1'666'666'666);
  CHECK(s.offset(103) == seconds(2));
  CHECK(s.offset(2103) == seconds(4));
  CHECK(s.offset(2152) == milliseconds(8900));
  CHECK(s.step_of(0) == 0);
  CHECK(s.step_of(99) == 0);
  CHECK(s.step_of(100) == 1);
  CHECK(s.step_of(103) == 2);
  CHECK(s.step_of(2152) == 3);

  CHECK(s.due_after(seconds(1) - nanoseconds(1)) == 100);
  CHECK(s.due_after(seconds(1)) == 101);
  CHECK(s.due_after(seconds(2) - nanoseconds(1)) == 103);
  CHECK(s.due_after(seconds(2)) == 104);
  CHECK(s.due_after(seconds(9)) == 2153);
  for (std::uint64_t i = 0; i < s.total(); ++i) {
    REQUIRE(s.due_after(s.offset(i)) == i + 1);
    REQUIRE(s.due_after(s.offset(i) - nanoseconds(1)) == i);
  }
}

TEST_CASE("bench: schedule ramp may end in an endless step") {
  auto made = OpenLoopSchedule::make(kStart, {{10, seconds(1)}, {20, OpenLoopSchedule::kForever}});
  REQUIRE(made.ok());
  CHECK(made->total() == OpenLoopSchedule::kUnbounded);
  CHECK(made->step_requests(1) == OpenLoopSchedule::kUnbounded);
  CHECK(made->offset(10) == seconds(1));
  CHECK(made->offset(10 + 20 * 3600) == seconds(3601));
  CHECK(made->due_after(seconds(3601)) == 10 + 20 * 3600 + 1);
  CHECK(made->step_of(1'000'000) == 1);
}

TEST_CASE("bench: schedule rejects rates and steps it cannot run") {
  const auto fails = [](const std::vector<RateStep>& steps, const char* needle) {
    auto s = OpenLoopSchedule::make(kStart, steps);
    REQUIRE_FALSE(s.ok());
    INFO(s.error().message);
    CHECK(s.error().message.find(needle) != std::string::npos);
  };
  fails({}, "no rate");
  fails({{0, seconds(1)}}, "step 1: rate 0 is outside");
  fails({{-5, seconds(1)}}, "rate -5");
  fails({{std::nan(""), seconds(1)}}, "outside");
  fails({{2e9, seconds(1)}}, "outside");
  fails({{10, seconds(1)}, {10, nanoseconds(0)}}, "step 2: duration must be > 0");
  fails({{10, OpenLoopSchedule::kForever}, {10, seconds(1)}}, "only the last step");
}

}  // namespace alertgate::bench
