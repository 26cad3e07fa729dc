#include "alertgate/bench/bench_report.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <iterator>

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
  if (r.end_to_end_latency) {
    append_latency(out, *r.end_to_end_latency);
  } else {
    out += "null";
  }
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
  out += '}';
}

std::string to_json(const BenchReport& report) {
  std::string out;
  append_json(out, report);
  return out;
}

}  // namespace alertgate::bench
