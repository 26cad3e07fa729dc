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

// One interval (normally one second) of the run: the latency-over-time plot and the live
// progress line. Latencies in ns, 0 when nothing was recorded in the interval.
struct IntervalSample {
  double t_s = 0;             // end of the interval, seconds since the schedule's start
  double offered_rate = 0;    // alerts/s the schedule made due in the interval
  double acked_rate = 0;      // alerts/s answered 2xx in the interval
  double delivered_rate = 0;  // alerts/s the embedded sink saw in the interval
  std::uint64_t errors = 0;   // requests answered non-2xx or not at all in the interval
  std::int64_t ack_p50 = 0, ack_p99 = 0, ack_max = 0;
  std::int64_t e2e_p50 = 0, e2e_p99 = 0, e2e_max = 0;
};

// One point of a percentile curve: latency (ns) at `percentile` (0..100).
struct PercentilePoint {
  double percentile = 0;
  std::int64_t value = 0;
};
// The HdrHistogram "percentile distribution" of a histogram: points at 0, 50, 75, 87.5, ...
// (each step halves the distance to 100, `ticks_per_half` points per halving) up to
// 99.9999 or the histogram's max, whichever comes first, plus 100. Empty when h is empty.
std::vector<PercentilePoint> percentile_curve(const LatencyHistogram& h, int ticks_per_half = 4);

// The service level a run or a ramp step is held to.
struct Slo {
  std::int64_t p99_ns = 0;           // end-to-end p99 when a sink measured it, else ack p99
  double max_error_share = 0.001;    // errors / requests
  double min_achieved_share = 0.99;  // achieved / offered: below it the target fell behind
};

// One step of `--ramp`.
struct RampStepResult {
  double offered_rate = 0;   // alerts/s
  double achieved_rate = 0;  // alerts/s acknowledged 2xx
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;  // non-2xx or no answer
  LatencySummary ack_latency;
  std::optional<LatencySummary> end_to_end_latency;
  bool within_slo = false;
};

// "N instances for R alerts/s at p99 <= X": from the highest rate one target sustained
// within the SLO (the ramp's last good step, or a single run that met the SLO).
struct CapacityPlan {
  double planned_rate = 0;       // alerts/s the operator asked to plan for (--plan-rate)
  double per_instance_rate = 0;  // sustained alerts/s of one target within the SLO; 0: unknown
  double headroom = 0.7;         // plan each instance at this share of what it sustained
  std::int64_t slo_p99_ns = 0;
  unsigned instances = 0;  // ceil(planned / (per_instance * headroom)); 0 when unknown
  std::string text;        // the sentence, e.g. "3 instances for 100000 alerts/s at ..."
};

struct BenchReport {
  // How the load was made (echoed so a report stands on its own).
  std::string format;  // am-v2 | native | pagerduty
  unsigned batch = 1;  // alerts per request
  unsigned connections = 0;
  unsigned tenants = 1;
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

  // Requests sent later than 1 ms after their intended time (the load generator itself or
  // its connections fell behind; their latency still counts from the intended time).
  std::uint64_t late_sends = 0;
  // Sink: alerts seen more than once (at-least-once delivery, retries), markers it could
  // not read.
  std::uint64_t delivered_duplicates = 0;
  std::uint64_t sink_unreadable = 0;
  // Ingest -> Kafka: message timestamp - intended send (`--kafka-brokers`), ms resolution.
  std::optional<LatencySummary> kafka_latency;
  std::uint64_t kafka_messages = 0;

  std::vector<IntervalSample> timeline;
  std::vector<PercentilePoint> ack_curve;  // percentile_curve of the ack histogram
  std::vector<PercentilePoint> e2e_curve;  // empty without a sink
  std::optional<Slo> slo;                  // --slo-p99 given (always with --ramp)
  std::vector<RampStepResult> ramp;        // --ramp: every step run, in order
  std::optional<double> sustainable_rate;  // --ramp: highest step rate within the SLO
  std::optional<CapacityPlan> plan;
};

// The plan for `planned_rate` alerts/s: per_instance_rate is report.sustainable_rate when
// a ramp ran, else report.achieved_rate if the whole run met `slo` (p99, error share and
// achieved share), else 0 (unknown: `text` says why). planned_rate <= 0 plans for the
// offered rate. Pure.
CapacityPlan plan_capacity(const BenchReport& report, const Slo& slo, double planned_rate,
                           double headroom = 0.7);

// Whether a run or step with these numbers meets `slo` (the latency used is end_to_end
// when present, else ack).
bool within_slo(const Slo& slo, double offered_rate, double achieved_rate, std::uint64_t requests,
                std::uint64_t errors, const LatencySummary& ack,
                const std::optional<LatencySummary>& end_to_end);

// Appends the report as one JSON object (no trailing newline). Latencies are written in
// milliseconds with 3 decimals (microsecond resolution); rates with 1 decimal; a
// non-finite number is written as null. Every key is always present;
// "end_to_end_latency_ms" and "target_process" are null when not measured.
// Also written: "load" {format,batch,connections,tenants}, "late_sends",
// "delivered_duplicates", "sink_unreadable", "kafka_latency_ms" (null unless measured),
// "kafka_messages", "timeline" [ {t_s, offered_rate, ...latencies in ms} ], "ack_curve" /
// "e2e_curve" [ [percentile, ms] ], "slo" (null or {p99_ms, max_error_share,
// min_achieved_share}), "ramp" [ steps ], "sustainable_rate" (null unless a ramp ran),
// "plan" (null or {planned_rate, per_instance_rate, headroom, slo_p99_ms, instances, text}).
void append_json(std::string& out, const BenchReport& report);
std::string to_json(const BenchReport& report);

}  // namespace alertgate::bench
