#include "alertgate/rating.hpp"

namespace alertgate {

namespace {
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}

AlertIdGenerator::AlertIdGenerator(std::uint64_t seed) : rng_(seed) {}

std::string AlertIdGenerator::next(TimePoint now) {
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  if (ms > last_ms_) {
    last_ms_ = ms;
    hi_ = rng_() & 0xffff;
    lo_ = rng_();
  } else {
    // Same (or earlier: clock stepped back) millisecond: increment the random part so ids
    // from this generator stay strictly increasing, as the ULID spec's monotonic mode.
    if (++lo_ == 0) hi_ = (hi_ + 1) & 0xffff;
  }
  // 26 base32 digits: 10 for the 48-bit time (top 2 bits zero), 16 for the 80 random bits.
  std::string out(26, '0');
  std::uint64_t t = last_ms_ & 0xffffffffffffULL;
  for (int i = 9; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kCrockford[t & 31];
    t >>= 5;
  }
  std::uint64_t hi = hi_, lo = lo_;
  for (int i = 25; i >= 10; --i) {
    out[static_cast<std::size_t>(i)] = kCrockford[lo & 31];
    lo = (lo >> 5) | ((hi & 31) << 59);
    hi >>= 5;
  }
  return out;
}

}  // namespace alertgate
