// LatencyHistogram: an HDR histogram (Gil Tene's HdrHistogram layout) of latencies in
// nanoseconds, for `alertgate bench`. Owns one counts array, allocated in the constructor
// and never again: record() and merge() do not allocate. Not thread-safe: each load worker
// records into its own histogram and the reporter merge()s them at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace alertgate::bench {

// Layout (as HdrHistogram): values are kept with `significant_digits` decimal digits of
// precision between `lowest_discernible` and `highest_trackable`. With sub_bucket_count =
// the next power of two >= 2 * 10^digits, bucket 0 holds [0, sub_bucket_count) in steps of
// 2^unit_magnitude and each further bucket doubles the range with the upper half of its
// sub-buckets, so the width of a value's slot is at most value / (sub_bucket_count / 2):
// relative error <= 1/1024 (< 0.1 %) for 3 digits.
//
// Memory: (bucket_count + 1) * sub_bucket_count / 2 counters of 8 bytes. The default
// (1 ns .. 1 h, 3 digits) is 33 * 1024 * 8 = 270,336 bytes; memory_bytes() says it exactly.
class LatencyHistogram {
 public:
  static constexpr std::int64_t kOneHourNs = 3'600'000'000'000;

  // Throws std::invalid_argument (start-up only) unless 1 <= lowest_discernible,
  // 2 * lowest_discernible <= highest_trackable and 1 <= significant_digits <= 5.
  explicit LatencyHistogram(std::int64_t lowest_discernible = 1,
                            std::int64_t highest_trackable = kOneHourNs,
                            int significant_digits = 3);

  // Counts `count` occurrences of `value` ns. Values outside [0, highest_trackable] are
  // clamped into range and counted by clamped_count(), never dropped: a latency the
  // histogram cannot hold must still weigh on the percentiles.
  void record(std::int64_t value, std::uint64_t count = 1) noexcept;

  // Adds every count of `other`. With the same layout this is exact (equal to having
  // recorded everything here); with another layout each of other's slots is re-recorded at
  // its highest equivalent value. Does not allocate.
  void merge(const LatencyHistogram& other) noexcept;

  // Empties the histogram (keeps the counts array).
  void reset() noexcept;

  // The value at percentile p (0..100) with HdrHistogram's rank rule: the smallest
  // recorded value v such that at least round(p/100 * count) (and at least 1) values are
  // <= v, reported as the highest value of its slot, clamped to [min(), max()]. So p100 is
  // max() exactly, and the answer is within the histogram's precision of the true one.
  // 0 when empty.
  std::int64_t value_at_percentile(double p) const noexcept;

  std::uint64_t count() const noexcept { return total_; }
  std::int64_t min() const noexcept { return total_ == 0 ? 0 : min_; }  // exact
  std::int64_t max() const noexcept { return total_ == 0 ? 0 : max_; }  // exact
  double mean() const noexcept;                                         // exact sum / count
  std::uint64_t clamped_count() const noexcept { return clamped_; }

  std::int64_t lowest_discernible() const noexcept { return lowest_; }
  std::int64_t highest_trackable() const noexcept { return highest_; }
  int significant_digits() const noexcept { return digits_; }
  std::size_t memory_bytes() const noexcept { return counts_.size() * sizeof(std::uint64_t); }
  bool same_layout(const LatencyHistogram& other) const noexcept;

  // Slot arithmetic, public for tests: lowest and highest value sharing `value`'s slot.
  std::int64_t lowest_equivalent(std::int64_t value) const noexcept;
  std::int64_t highest_equivalent(std::int64_t value) const noexcept;

 private:
  std::size_t index_of(std::int64_t value) const noexcept;
  std::int64_t value_at_index(std::size_t index) const noexcept;
  int bucket_of(std::int64_t value) const noexcept;

  std::int64_t lowest_;
  std::int64_t highest_;
  int digits_;
  int unit_magnitude_ = 0;
  int sub_bucket_half_count_magnitude_ = 0;
  std::int64_t sub_bucket_count_ = 0;
  std::int64_t sub_bucket_half_count_ = 0;
  std::int64_t sub_bucket_mask_ = 0;
  int bucket_count_ = 0;
  std::vector<std::uint64_t> counts_;

  std::uint64_t total_ = 0;
  std::uint64_t clamped_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  __extension__ typedef unsigned __int128 Sum;  // exact: 10^7 values of 1 h overflow 64 bits
  Sum sum_ = 0;
};

}  // namespace alertgate::bench
