#include "alertgate/rate_limiter.hpp"

#include <cmath>

namespace alertgate {

RateLimiter::RateLimiter(std::size_t tenants)
    : tat_(std::make_unique<std::atomic<std::int64_t>[]>(tenants)), size_(tenants) {}

RateLimiter::Decision RateLimiter::try_take(std::size_t tenant, std::uint64_t n, double rate,
                                            double burst, TimePoint now) {
  if (rate <= 0 || n == 0 || tenant >= size_) return {};
  if (static_cast<double>(n) > burst) return {false, std::chrono::seconds(1), true};
  // Emission interval T = 1/rate; the bucket is full when tat <= now, and n alerts fit when
  // the new tat lies at most burst * T ahead of now.
  const double interval_ns = 1e9 / rate;
  const auto cost = static_cast<std::int64_t>(std::llround(interval_ns * static_cast<double>(n)));
  const auto tolerance = static_cast<std::int64_t>(std::llround(interval_ns * burst));
  const std::int64_t t = now.time_since_epoch().count();
  auto& tat = tat_[tenant];
  std::int64_t seen = tat.load(std::memory_order_relaxed);
  for (;;) {
    const std::int64_t next = std::max(seen, t) + cost;
    if (next - t > tolerance) {
      return {false, std::chrono::nanoseconds(next - t - tolerance), false};
    }
    if (tat.compare_exchange_weak(seen, next, std::memory_order_relaxed)) return {};
  }
}

}  // namespace alertgate
