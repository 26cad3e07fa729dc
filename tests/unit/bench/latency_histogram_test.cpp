#include "alertgate/bench/latency_histogram.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace alertgate::bench {
namespace {

constexpr double kPercentiles[] = {0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};

// Log-uniform latencies from 1 us to 1 h, plus a cluster around 2 ms like a real run.
std::vector<std::int64_t> random_latencies(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> exponent(3.0, std::log10(3.6e12));
  std::normal_distribution<double> cluster(2e6, 3e5);
  std::vector<std::int64_t> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = (i % 3 == 0) ? std::pow(10.0, exponent(rng)) : std::max(1e3, cluster(rng));
    v.push_back(static_cast<std::int64_t>(x));
  }
  return v;
}

// HdrHistogram's rank rule on the exact sorted data.
std::int64_t reference_percentile(const std::vector<std::int64_t>& sorted, double p) {
  auto rank =
      static_cast<std::uint64_t>(std::llround(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::uint64_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace

TEST_CASE("bench: histogram layout and documented memory for 1 ns .. 1 h, 3 digits") {
  const LatencyHistogram h;
  CHECK(h.memory_bytes() == std::size_t{33} * 1024 * 8);
  CHECK(h.lowest_discernible() == 1);
  CHECK(h.highest_trackable() == LatencyHistogram::kOneHourNs);
  // Unit resolution up to 2048, then slots of width <= value / 1024.
  CHECK(h.lowest_equivalent(2047) == 2047);
  CHECK(h.highest_equivalent(2047) == 2047);
  CHECK(h.lowest_equivalent(2049) == 2048);
  CHECK(h.highest_equivalent(2049) == 2049);
  CHECK(h.lowest_equivalent(4097) == 4096);
  CHECK(h.highest_equivalent(4097) == 4099);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> any(1, LatencyHistogram::kOneHourNs);
  for (int i = 0; i < 100'000; ++i) {
    const auto v = any(rng);
    const auto lo = h.lowest_equivalent(v);
    const auto hi = h.highest_equivalent(v);
    REQUIRE(lo <= v);
    REQUIRE(v <= hi);
    REQUIRE(static_cast<double>(hi - lo) <= static_cast<double>(lo) / 1024.0);
  }
}

TEST_CASE("bench: histogram percentiles match a sorted reference within 0.1 %") {
  auto values = random_latencies(200'000, 42);
  LatencyHistogram h;
  for (const auto v : values) h.record(v);
  std::sort(values.begin(), values.end());

  CHECK(h.count() == values.size());
  CHECK(h.min() == values.front());
  CHECK(h.max() == values.back());
  long double sum = 0;
  for (const auto v : values) sum += static_cast<long double>(v);
  CHECK(h.mean() == Approx(static_cast<double>(sum / values.size())).epsilon(1e-12));
  CHECK(h.clamped_count() == 0);
  for (const double p : kPercentiles) {
    const auto want = reference_percentile(values, p);
    const auto got = h.value_at_percentile(p);
    INFO("p" << p << " want " << want << " got " << got);
    CHECK(got >= want);
    CHECK(static_cast<double>(got - want) <= 0.001 * static_cast<double>(want));
  }
  CHECK(h.value_at_percentile(100) == values.back());
}

TEST_CASE("bench: histogram merge equals recording everything in one") {
  const auto values = random_latencies(100'000, 9);
  LatencyHistogram all;
  LatencyHistogram parts[3];
  for (std::size_t i = 0; i < values.size(); ++i) {
    all.record(values[i]);
    parts[i % 3].record(values[i]);
  }
  parts[2].record(-5);  // clamped to 0, counted, in both
  all.record(-5);
  LatencyHistogram merged;
  for (const auto& p : parts) merged.merge(p);

  CHECK(merged.count() == all.count());
  CHECK(merged.min() == all.min());
  CHECK(merged.max() == all.max());
  CHECK(merged.mean() == all.mean());
  CHECK(merged.clamped_count() == 1);
  for (double p = 0; p <= 100.0; p += 0.1) {
    REQUIRE(merged.value_at_percentile(p) == all.value_at_percentile(p));
  }
}

TEST_CASE("bench: histogram counts, clamping, reset and the empty case") {
  LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.value_at_percentile(99) == 0);
  CHECK(h.mean() == 0.0);

  LatencyHistogram once;
  h.record(1'000'000, 4);
  for (int i = 0; i < 4; ++i) once.record(1'000'000);
  CHECK(h.count() == 4);
  CHECK(h.value_at_percentile(50) == once.value_at_percentile(50));
  CHECK(h.value_at_percentile(50) == 1'000'000);  // clamped to max: exact

  h.record(-1);
  h.record(LatencyHistogram::kOneHourNs * 2);
  CHECK(h.clamped_count() == 2);
  CHECK(h.min() == 0);
  CHECK(h.max() == LatencyHistogram::kOneHourNs);
  CHECK(h.value_at_percentile(100) == LatencyHistogram::kOneHourNs);
  h.record(5, 0);  // a zero count changes nothing
  CHECK(h.count() == 6);

  const auto bytes = h.memory_bytes();
  h.reset();
  CHECK(h.count() == 0);
  CHECK(h.clamped_count() == 0);
  CHECK(h.memory_bytes() == bytes);
}

TEST_CASE("bench: histogram merge across layouts keeps counts and exact extremes") {
  LatencyHistogram fine;                             // 1 ns .. 1 h, 3 digits
  LatencyHistogram coarse(1000, 60'000'000'000, 2);  // 1 us .. 1 min, 2 digits
  CHECK(coarse.memory_bytes() < fine.memory_bytes());
  coarse.record(1'234'567);
  coarse.record(50'000'000, 3);
  fine.record(10'000);
  fine.merge(coarse);
  CHECK(fine.count() == 5);
  CHECK(fine.min() == 10'000);
  CHECK(fine.max() == 50'000'000);
  const auto p50 = fine.value_at_percentile(50);
  CHECK(std::abs(p50 - 50'000'000) <= 50'000'000 / 100);
}

TEST_CASE("bench: histogram rejects a layout it cannot hold") {
  CHECK_THROWS_AS(LatencyHistogram(0, 100, 3), std::invalid_argument);
  CHECK_THROWS_AS(LatencyHistogram(100, 150, 3), std::invalid_argument);
  CHECK_THROWS_AS(LatencyHistogram(1, 1000, 0), std::invalid_argument);
  CHECK_THROWS_AS(LatencyHistogram(1, 1000, 6), std::invalid_argument);
}

}  // namespace alertgate::bench
