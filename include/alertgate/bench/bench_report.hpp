// BenchReport: the numbers of one `alertgate bench` run, and their JSON form (`--json
// FILE`). A plain value filled by the bench driver after its workers stop; the JSON writer
// is a pure function (any thread) that does not throw except std::bad_alloc.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alertgate/bench/latency_histogram.hpp"

namespace alertgate::bench {

// Percentiles of one latency histogram, in nanoseconds.
struct LatencySummary {
  std::uint64_t count = 0;
  std::int64_t p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0, max = 0;
  double mean = 0;

  static LatencySummary of(const LatencyHistogram& h);
};

// CPU and memory of the target process (`--target-pid`), sampled by the driver.
struct TargetUsage {
  double cpu_percent = 0;  // of one core, averaged over the run (200 = two cores busy)
  std::uint64_t rss_max_bytes = 0;
};

struct BenchReport {
  std::string target;        // URL, as given (no tokens in it: they travel in headers)
  double duration_s = 0;     // from the first intended send to the last answer
  double offered_rate = 0;   // alerts/s the schedule asked for
  double achieved_rate = 0;  // alerts/s acknowledged with a 2xx
  std::uint64_t requests_sent = 0;
  std::uint64_t alerts_sent = 0;
  std::uint64_t alerts_acked = 0;
  std::uint64_t alerts_delivered = 0;  // seen by the embedded sink (0 without one)
  // HTTP status -> requests; 0 counts requests with no answer (connect error, timeout).
  std::map<int, std::uint64_t> status_counts;
  LatencySummary ack_latency;                        // intended send -> HTTP answer
  std::optional<LatencySummary> end_to_end_latency;  // intended send -> sink arrival
  // Alerts acknowledged per tenant, index = tenant; the JSON gives count/min/max.
  std::vector<std::uint64_t> per_tenant_acked;
  std::optional<TargetUsage> target_usage;
};

// Appends the report as one JSON object (no trailing newline). Latencies are written in
// milliseconds with 3 decimals (microsecond resolution); rates with 1 decimal; a
// non-finite number is written as null. Every key is always present;
// "end_to_end_latency_ms" and "target_process" are null when not measured.
void append_json(std::string& out, const BenchReport& report);
std::string to_json(const BenchReport& report);

}  // namespace alertgate::bench
