#include "alertgate/bench/bench_report.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <iterator>
#include <optional>
#include <vector>

#include "alertgate/json_text.hpp"

namespace alertgate::bench {

namespace {

void append_number(std::string& out, double v, int decimals) {
  if (!std::isfinite(v)) {
    out += "null";  // JSON has no NaN or Infinity
    return;
  }
  fmt::format_to(std::back_inserter(out), "{:.{}f}", v, decimals);
}

// Integer arithmetic: ns -> ms with 3 decimals, rounded half away from zero, so the text
// does not depend on how a double happens to round 0.8005.
void append_ms(std::string& out, std::int64_t ns) {
  const bool negative = ns < 0;
  const std::uint64_t abs_ns =
      negative ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  const std::uint64_t us = (abs_ns + 500) / 1000;
  fmt::format_to(std::back_inserter(out), "{}{}.{:03}", negative ? "-" : "", us / 1000, us % 1000);
}

void append_latency(std::string& out, const LatencySummary& s) {
  fmt::format_to(std::back_inserter(out), "{{\"count\":{},\"p50\":", s.count);
  append_ms(out, s.p50);
  out += ",\"p90\":";
  append_ms(out, s.p90);
  out += ",\"p95\":";
  append_ms(out, s.p95);
  out += ",\"p99\":";
  append_ms(out, s.p99);
  out += ",\"p99_9\":";
  append_ms(out, s.p999);
  out += ",\"max\":";
  append_ms(out, s.max);
  out += ",\"mean\":";
  append_number(out, s.mean / 1e6, 3);
  out += '}';
}

void append_optional_latency(std::string& out, const std::optional<LatencySummary>& s) {
  if (s) {
    append_latency(out, *s);
  } else {
    out += "null";
  }
}

// Percentiles and shares are not rates: they need every digit they have (99.90234375),
// so they are written in the shortest form that reads back to the same double.
void append_exact(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  fmt::format_to(std::back_inserter(out), "{}", v);
}

void append_load(std::string& out, const BenchReport& r) {
  out += ",\"load\":{\"format\":";
  append_json_string(out, r.format);
  fmt::format_to(std::back_inserter(out), ",\"batch\":{},\"connections\":{},\"tenants\":{}}}",
                 r.batch, r.connections, r.tenants);
}

void append_timeline(std::string& out, const std::vector<IntervalSample>& timeline) {
  out += ",\"timeline\":[";
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    const IntervalSample& s = timeline[i];
    out += i == 0 ? "{\"t_s\":" : ",{\"t_s\":";
    append_number(out, s.t_s, 3);
    out += ",\"offered_rate\":";
    append_number(out, s.offered_rate, 1);
    out += ",\"acked_rate\":";
    append_number(out, s.acked_rate, 1);
    out += ",\"delivered_rate\":";
    append_number(out, s.delivered_rate, 1);
    fmt::format_to(std::back_inserter(out), ",\"errors\":{},\"ack_p50_ms\":", s.errors);
    append_ms(out, s.ack_p50);
    out += ",\"ack_p99_ms\":";
    append_ms(out, s.ack_p99);
    out += ",\"ack_max_ms\":";
    append_ms(out, s.ack_max);
    out += ",\"e2e_p50_ms\":";
    append_ms(out, s.e2e_p50);
    out += ",\"e2e_p99_ms\":";
    append_ms(out, s.e2e_p99);
    out += ",\"e2e_max_ms\":";
    append_ms(out, s.e2e_max);
    out += '}';
  }
  out += ']';
}

void append_curve(std::string& out, const char* key, const std::vector<PercentilePoint>& curve) {
  fmt::format_to(std::back_inserter(out), ",\"{}\":[", key);
  for (std::size_t i = 0; i < curve.size(); ++i) {
    out += i == 0 ? "[" : ",[";
    append_exact(out, curve[i].percentile);
    out += ',';
    append_ms(out, curve[i].value);
    out += ']';
  }
  out += ']';
}

void append_slo(std::string& out, const std::optional<Slo>& slo) {
  out += ",\"slo\":";
  if (!slo) {
    out += "null";
    return;
  }
  out += "{\"p99_ms\":";
  append_ms(out, slo->p99_ns);
  out += ",\"max_error_share\":";
  append_exact(out, slo->max_error_share);
  out += ",\"min_achieved_share\":";
  append_exact(out, slo->min_achieved_share);
  out += '}';
}

void append_ramp(std::string& out, const std::vector<RampStepResult>& ramp) {
  out += ",\"ramp\":[";
  for (std::size_t i = 0; i < ramp.size(); ++i) {
    const RampStepResult& s = ramp[i];
    out += i == 0 ? "{\"offered_rate\":" : ",{\"offered_rate\":";
    append_number(out, s.offered_rate, 1);
    out += ",\"achieved_rate\":";
    append_number(out, s.achieved_rate, 1);
    fmt::format_to(std::back_inserter(out),
                   ",\"requests\":{},\"errors\":{},\"ack_latency_ms\":", s.requests, s.errors);
    append_latency(out, s.ack_latency);
    out += ",\"end_to_end_latency_ms\":";
    append_optional_latency(out, s.end_to_end_latency);
    out += s.within_slo ? ",\"within_slo\":true}" : ",\"within_slo\":false}";
  }
  out += ']';
}

void append_plan(std::string& out, const std::optional<CapacityPlan>& plan) {
  out += ",\"plan\":";
  if (!plan) {
    out += "null";
    return;
  }
  out += "{\"planned_rate\":";
  append_number(out, plan->planned_rate, 1);
  out += ",\"per_instance_rate\":";
  append_number(out, plan->per_instance_rate, 1);
  out += ",\"headroom\":";
  append_exact(out, plan->headroom);
  out += ",\"slo_p99_ms\":";
  append_ms(out, plan->slo_p99_ns);
  fmt::format_to(std::back_inserter(out), ",\"instances\":{},\"text\":", plan->instances);
  append_json_string(out, plan->text);
  out += '}';
}

}  // namespace

LatencySummary LatencySummary::of(const LatencyHistogram& h) {
  LatencySummary s;
  s.count = h.count();
  s.p50 = h.value_at_percentile(50);
  s.p90 = h.value_at_percentile(90);
  s.p95 = h.value_at_percentile(95);
  s.p99 = h.value_at_percentile(99);
  s.p999 = h.value_at_percentile(99.9);
  s.max = h.max();
  s.mean = h.mean();
  return s;
}

std::vector<PercentilePoint> percentile_curve(const LatencyHistogram& h, int ticks_per_half) {
  std::vector<PercentilePoint> curve;
  if (h.count() == 0) return curve;
  const int ticks = std::max(ticks_per_half, 1);
  const std::int64_t max = h.max();
  // Halving `half` covers [100 - 100/2^half, 100 - 100/2^(half+1)) in `ticks` equal steps.
  // Computing each level from (half, tick) rather than by accumulating steps keeps 50, 75,
  // 87.5 exact and the cut-off at 99.9999 free of drift.
  constexpr double kLastLevel = 99.9999;
  bool reached_max = false;
  for (int half = 0; half < 64 && !reached_max; ++half) {
    const double gap = std::ldexp(100.0, -half);  // 100 - start of this halving
    for (int tick = 0; tick < ticks; ++tick) {
      const double level = 100.0 - gap + gap / 2 * tick / ticks;
      if (level > kLastLevel) {
        reached_max = true;
        break;
      }
      const std::int64_t value = h.value_at_percentile(level);
      curve.push_back({level, value});
      if (value >= max) {
        reached_max = true;
        break;
      }
    }
  }
  curve.push_back({100.0, max});
  return curve;
}

void append_json(std::string& out, const BenchReport& r) {
  out += "{\"target\":";
  append_json_string(out, r.target);
  out += ",\"duration_s\":";
  append_number(out, r.duration_s, 3);
  out += ",\"offered_rate\":";
  append_number(out, r.offered_rate, 1);
  out += ",\"achieved_rate\":";
  append_number(out, r.achieved_rate, 1);
  fmt::format_to(std::back_inserter(out),
                 ",\"requests_sent\":{},\"alerts_sent\":{},\"alerts_acked\":{},"
                 "\"alerts_delivered\":{},\"status_counts\":{{",
                 r.requests_sent, r.alerts_sent, r.alerts_acked, r.alerts_delivered);
  bool first = true;
  for (const auto& [status, n] : r.status_counts) {
    // Keys are strings in JSON; 0 (no answer) is spelled out so nobody reads it as a code.
    fmt::format_to(std::back_inserter(out), "{}\"{}\":{}", first ? "" : ",",
                   status == 0 ? std::string("no_answer") : std::to_string(status), n);
    first = false;
  }
  out += "},\"ack_latency_ms\":";
  append_latency(out, r.ack_latency);
  out += ",\"end_to_end_latency_ms\":";
  append_optional_latency(out, r.end_to_end_latency);
  const auto& t = r.per_tenant_acked;
  const auto [lo, hi] = std::minmax_element(t.begin(), t.end());
  fmt::format_to(std::back_inserter(out),
                 ",\"tenants\":{{\"count\":{},\"acked_min\":{},"
                 "\"acked_max\":{}}}",
                 t.size(), t.empty() ? 0 : *lo, t.empty() ? 0 : *hi);
  out += ",\"target_process\":";
  if (r.target_usage) {
    out += "{\"cpu_percent\":";
    append_number(out, r.target_usage->cpu_percent, 1);
    fmt::format_to(std::back_inserter(out), ",\"rss_max_bytes\":{}}}",
                   r.target_usage->rss_max_bytes);
  } else {
    out += "null";
  }
  append_load(out, r);
  fmt::format_to(std::back_inserter(out),
                 ",\"late_sends\":{},\"delivered_duplicates\":{},\"sink_unreadable\":{},"
                 "\"kafka_latency_ms\":",
                 r.late_sends, r.delivered_duplicates, r.sink_unreadable);
  append_optional_latency(out, r.kafka_latency);
  fmt::format_to(std::back_inserter(out), ",\"kafka_messages\":{}", r.kafka_messages);
  append_timeline(out, r.timeline);
  append_curve(out, "ack_curve", r.ack_curve);
  append_curve(out, "e2e_curve", r.e2e_curve);
  append_slo(out, r.slo);
  append_ramp(out, r.ramp);
  out += ",\"sustainable_rate\":";
  if (r.sustainable_rate) {
    append_number(out, *r.sustainable_rate, 1);
  } else {
    out += "null";
  }
  append_plan(out, r.plan);
  out += '}';
}

std::string to_json(const BenchReport& report) {
  std::string out;
  append_json(out, report);
  return out;
}

}  // namespace alertgate::bench
