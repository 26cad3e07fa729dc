// RateLimiter: one token bucket per tenant, shared by every reactor, as GCRA (the generic
// cell rate algorithm): a single atomic "theoretical arrival time" per tenant, updated with
// a compare-and-swap, so taking n alerts from the bucket is lock-free and never allocates.
//
// `rate` alerts/s refill the bucket, which holds at most `burst` alerts. A request for n
// alerts either takes all n or none (the caller answers 429 with retry_after). Time is
// passed in (`now`, any monotonic or system clock, consistently).
//
// Threads: any; try_take() may run on every reactor at once for the same tenant.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "alertgate/time.hpp"

namespace alertgate {

class RateLimiter {
 public:
  explicit RateLimiter(std::size_t tenants);

  struct Decision {
    bool allowed = true;
    std::chrono::nanoseconds retry_after{0};  // when refused: wait at least this long
    bool never = false;                       // refused because n > burst: no wait will help
  };

  // rate <= 0 means unlimited (always allowed).
  Decision try_take(std::size_t tenant, std::uint64_t n, double rate, double burst, TimePoint now);

 private:
  std::unique_ptr<std::atomic<std::int64_t>[]> tat_;  // ns since the epoch of `now`
  std::size_t size_;
};

}  // namespace alertgate
