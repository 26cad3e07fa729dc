#include "alertgate/bench/delivery_watch.hpp"

#include <catch2/catch.hpp>
#include <chrono>

namespace alertgate::bench {
namespace {

using namespace std::chrono_literals;
using T = DeliveryWatch::TimePoint;

const T t0 = T{} + 1h;

DeliveryWatchOptions options(std::uint64_t expected) {
  return {.expected = expected, .timeout = 60s, .idle = 10s};
}

TEST_CASE("bench: delivery watch ends when the expected count arrived") {
  DeliveryWatch w(options(1000), t0);
  CHECK(w.observe(0, t0 + 1s) == WaitEnd::waiting);
  CHECK(w.observe(999, t0 + 2s) == WaitEnd::waiting);
  CHECK(w.observe(1000, t0 + 3s) == WaitEnd::expected);
  // Sticky: later observations do not change the verdict.
  CHECK(w.observe(1000, t0 + 100s) == WaitEnd::expected);
  CHECK(w.ended() == WaitEnd::expected);
  // More than expected (duplicated seqs are not distinct, but a longer backlog is).
  DeliveryWatch more(options(10), t0);
  CHECK(more.observe(11, t0 + 1s) == WaitEnd::expected);
}

TEST_CASE("bench: delivery watch waits for the first alert until the timeout only") {
  DeliveryWatch w(options(1000), t0);
  // Nothing arrived for longer than the idle period: still waiting (the sender may be late).
  CHECK(w.observe(0, t0 + 30s) == WaitEnd::waiting);
  CHECK(w.observe(0, t0 + 59s) == WaitEnd::waiting);
  CHECK(w.observe(0, t0 + 60s) == WaitEnd::timeout);
  CHECK(w.observe(1000, t0 + 61s) == WaitEnd::timeout);
}

TEST_CASE("bench: delivery watch ends idle when the count stops growing after the first") {
  DeliveryWatch w(options(1000), t0);
  CHECK(w.observe(0, t0 + 5s) == WaitEnd::waiting);
  CHECK(w.observe(100, t0 + 20s) == WaitEnd::waiting);  // first growth at 20 s
  CHECK(w.observe(100, t0 + 29s) == WaitEnd::waiting);
  CHECK(w.observe(200, t0 + 29500ms) == WaitEnd::waiting);  // growth restarts the idle time
  CHECK(w.observe(200, t0 + 39s) == WaitEnd::waiting);
  CHECK(w.observe(200, t0 + 39500ms) == WaitEnd::idle);
}

TEST_CASE("bench: delivery watch without an expected count, and the order of the checks") {
  // expected 0: only idle or the timeout end it.
  DeliveryWatch none(options(0), t0);
  CHECK(none.observe(0, t0 + 1s) == WaitEnd::waiting);
  CHECK(none.observe(5, t0 + 2s) == WaitEnd::waiting);
  CHECK(none.observe(5, t0 + 12s) == WaitEnd::idle);

  // Reaching the count at the timeout: expected wins.
  DeliveryWatch both(options(10), t0);
  CHECK(both.observe(10, t0 + 60s) == WaitEnd::expected);
  // Idle and timeout at once: timeout wins (the bound is what ended it).
  DeliveryWatch late(options(10), t0);
  CHECK(late.observe(5, t0 + 40s) == WaitEnd::waiting);
  CHECK(late.observe(5, t0 + 60s) == WaitEnd::timeout);

  CHECK(to_string(WaitEnd::waiting) == "waiting");
  CHECK(to_string(WaitEnd::expected) == "expected");
  CHECK(to_string(WaitEnd::timeout) == "timeout");
  CHECK(to_string(WaitEnd::idle) == "idle");
}

}  // namespace
}  // namespace alertgate::bench
