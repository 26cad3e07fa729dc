#include "alertgate/rate_limiter.hpp"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

namespace alertgate {
namespace {
TimePoint at_ms(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }
}  // namespace

TEST_CASE("rate_limiter: a full bucket takes a burst, then refills at the rate") {
  RateLimiter rl(2);
  // 10 alerts/s, burst 5: 5 at once, then one every 100 ms.
  CHECK(rl.try_take(0, 5, 10, 5, at_ms(1000)).allowed);
  const auto refused = rl.try_take(0, 1, 10, 5, at_ms(1000));
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after == std::chrono::milliseconds(100));
  CHECK_FALSE(rl.try_take(0, 1, 10, 5, at_ms(1099)).allowed);
  CHECK(rl.try_take(0, 1, 10, 5, at_ms(1100)).allowed);
  CHECK_FALSE(rl.try_take(0, 2, 10, 5, at_ms(1250)).allowed);  // only 1.5 refilled
  CHECK(rl.try_take(0, 2, 10, 5, at_ms(1300)).allowed);
  // After a long pause the bucket is full again, never fuller.
  CHECK(rl.try_take(0, 5, 10, 5, at_ms(60'000)).allowed);
  CHECK_FALSE(rl.try_take(0, 1, 10, 5, at_ms(60'000)).allowed);
  // Tenants have their own buckets.
  CHECK(rl.try_take(1, 5, 10, 5, at_ms(60'000)).allowed);
}

TEST_CASE("rate_limiter: unlimited, and batches larger than the burst") {
  RateLimiter rl(1);
  for (int i = 0; i < 100; ++i) CHECK(rl.try_take(0, 1000, 0, 1, at_ms(0)).allowed);
  const auto d = rl.try_take(0, 6, 10, 5, at_ms(0));
  CHECK_FALSE(d.allowed);
  CHECK(d.never);
  CHECK(rl.try_take(0, 5, 10, 5, at_ms(0)).allowed);  // the refused batch took nothing
}

TEST_CASE("rate_limiter: concurrent takers never exceed the burst") {
  RateLimiter rl(1);
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 10'000; ++k) {
        if (rl.try_take(0, 1, 1, 1000, at_ms(5)).allowed) taken.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(taken.load() == 1000);  // time stands still: exactly the burst
}

}  // namespace alertgate
