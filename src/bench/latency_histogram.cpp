#include "alertgate/bench/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace alertgate::bench {

namespace {

// Number of log buckets so that sub_bucket_count << (unit_magnitude + buckets - 1) covers
// `highest`; the same rule as HdrHistogram's buckets_needed_to_cover_value.
int buckets_needed(std::int64_t highest, std::int64_t sub_bucket_count, int unit_magnitude) {
  std::int64_t smallest_untrackable = sub_bucket_count << unit_magnitude;
  int buckets = 1;
  while (smallest_untrackable <= highest) {
    if (smallest_untrackable > std::numeric_limits<std::int64_t>::max() / 2) {
      return buckets + 1;
    }
    smallest_untrackable <<= 1;
    ++buckets;
  }
  return buckets;
}

}  // namespace

LatencyHistogram::LatencyHistogram(std::int64_t lowest_discernible, std::int64_t highest_trackable,
                                   int significant_digits)
    : lowest_(lowest_discernible), highest_(highest_trackable), digits_(significant_digits) {
  if (lowest_ < 1 || highest_ / 2 < lowest_ || digits_ < 1 || digits_ > 5) {
    throw std::invalid_argument("latency histogram: need 1 <= lowest (" + std::to_string(lowest_) +
                                "), 2 * lowest <= highest (" + std::to_string(highest_) +
                                ") and 1 <= significant digits (" + std::to_string(digits_) +
                                ") <= 5");
  }
  std::int64_t largest_single_unit = 2;
  for (int i = 0; i < digits_; ++i) largest_single_unit *= 10;
  // ceil(log2(largest_single_unit)): at least that many sub-buckets at unit resolution.
  const auto sub_bucket_count_magnitude =
      static_cast<int>(std::bit_width(static_cast<std::uint64_t>(largest_single_unit - 1)));
  sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude, 1) - 1;
  // floor(log2(lowest)): values below 2^unit_magnitude share slot 0.
  unit_magnitude_ = static_cast<int>(std::bit_width(static_cast<std::uint64_t>(lowest_))) - 1;
  sub_bucket_count_ = std::int64_t{1} << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = (sub_bucket_count_ - 1) << unit_magnitude_;
  bucket_count_ = buckets_needed(highest_, sub_bucket_count_, unit_magnitude_);
  counts_.assign(static_cast<std::size_t>(bucket_count_ + 1) *
                     static_cast<std::size_t>(sub_bucket_half_count_),
                 0);
}

int LatencyHistogram::bucket_of(std::int64_t value) const noexcept {
  // Position of the highest set bit, with values below sub_bucket_count landing in bucket 0.
  const auto pow2_ceiling =
      static_cast<int>(std::bit_width(static_cast<std::uint64_t>(value | sub_bucket_mask_)));
  return pow2_ceiling - unit_magnitude_ - (sub_bucket_half_count_magnitude_ + 1);
}

std::size_t LatencyHistogram::index_of(std::int64_t value) const noexcept {
  const int bucket = bucket_of(value);
  const std::int64_t sub_bucket = value >> (bucket + unit_magnitude_);
  const std::int64_t base = std::int64_t{bucket + 1} << sub_bucket_half_count_magnitude_;
  return static_cast<std::size_t>(base + (sub_bucket - sub_bucket_half_count_));
}

std::int64_t LatencyHistogram::value_at_index(std::size_t index) const noexcept {
  auto bucket = static_cast<std::int64_t>(index >> sub_bucket_half_count_magnitude_) - 1;
  auto sub_bucket =
      static_cast<std::int64_t>(index & static_cast<std::size_t>(sub_bucket_half_count_ - 1)) +
      sub_bucket_half_count_;
  if (bucket < 0) {  // the lower half of bucket 0
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return sub_bucket << (bucket + unit_magnitude_);
}

std::int64_t LatencyHistogram::lowest_equivalent(std::int64_t value) const noexcept {
  const int bucket = bucket_of(value);
  const std::int64_t sub_bucket = value >> (bucket + unit_magnitude_);
  return sub_bucket << (bucket + unit_magnitude_);
}

std::int64_t LatencyHistogram::highest_equivalent(std::int64_t value) const noexcept {
  const int bucket = bucket_of(value);
  const std::int64_t sub_bucket = value >> (bucket + unit_magnitude_);
  const int adjusted = sub_bucket >= sub_bucket_count_ ? bucket + 1 : bucket;
  return lowest_equivalent(value) + (std::int64_t{1} << (unit_magnitude_ + adjusted)) - 1;
}

void LatencyHistogram::record(std::int64_t value, std::uint64_t count) noexcept {
  if (count == 0) return;
  if (value < 0 || value > highest_) {
    value = std::clamp<std::int64_t>(value, 0, highest_);
    clamped_ += count;
  }
  counts_[index_of(value)] += count;
  if (total_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  total_ += count;
  sum_ += static_cast<Sum>(value) * count;
}

bool LatencyHistogram::same_layout(const LatencyHistogram& other) const noexcept {
  return unit_magnitude_ == other.unit_magnitude_ && sub_bucket_count_ == other.sub_bucket_count_ &&
         counts_.size() == other.counts_.size();
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  if (other.total_ == 0) return;
  if (same_layout(other)) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  } else {
    // Another precision or range: each of other's slots lands at its highest value here.
    for (std::size_t i = 0; i < other.counts_.size(); ++i) {
      if (other.counts_[i] == 0) continue;
      const auto v = std::min(other.highest_equivalent(other.value_at_index(i)), highest_);
      counts_[index_of(v)] += other.counts_[i];
    }
  }
  // The exact statistics combine exactly whatever the layouts.
  const auto other_min = std::min(other.min_, highest_);
  const auto other_max = std::min(other.max_, highest_);
  min_ = total_ == 0 ? other_min : std::min(min_, other_min);
  max_ = total_ == 0 ? other_max : std::max(max_, other_max);
  total_ += other.total_;
  clamped_ += other.clamped_;
  sum_ += other.sum_;
}

void LatencyHistogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = clamped_ = 0;
  min_ = max_ = 0;
  sum_ = 0;
}

double LatencyHistogram::mean() const noexcept {
  if (total_ == 0) return 0.0;
  return static_cast<double>(static_cast<long double>(sum_) / static_cast<long double>(total_));
}

std::int64_t LatencyHistogram::value_at_percentile(double p) const noexcept {
  if (total_ == 0) return 0;
  p = std::clamp(std::isnan(p) ? 100.0 : p, 0.0, 100.0);
  auto wanted = static_cast<std::uint64_t>(std::llround(p / 100.0 * static_cast<double>(total_)));
  wanted = std::clamp<std::uint64_t>(wanted, 1, total_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= wanted) {
      return std::clamp(highest_equivalent(value_at_index(i)), min_, max_);
    }
  }
  return max_;  // unreachable: the counts sum to total_
}

}  // namespace alertgate::bench
