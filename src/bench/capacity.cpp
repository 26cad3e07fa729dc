// within_slo and plan_capacity: turning one bench run (or a ramp) into "N instances for R
// alerts/s at p99 <= X", or into a sentence that says why no plan can be made.
#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "alertgate/bench/bench_report.hpp"

namespace alertgate::bench {

namespace {

// A rate as a planner reads it: whole alerts/s from 10 up, one decimal below.
std::string human_rate(double rate) {
  if (std::abs(rate) >= 10) return fmt::format("{:.0f}", rate);
  return fmt::format("{:.1f}", rate);
}

// A limit the operator typed (10 ms, 0.5 ms, 0.25 ms): no trailing zeros.
std::string human_limit_ms(std::int64_t ns) {
  std::string s = fmt::format("{:.3f}", static_cast<double>(ns) / 1e6);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s + " ms";
}

// A measured latency: one decimal, three below 1 ms where one decimal would say "0.0".
std::string human_measured_ms(std::int64_t ns) {
  const double ms = static_cast<double>(ns) / 1e6;
  return ms < 1 ? fmt::format("{:.3f} ms", ms) : fmt::format("{:.1f} ms", ms);
}

// Shares as percentages with three significant digits: 2.1%, 0.1%, 0.0123%, 80%.
std::string human_percent(double share) { return fmt::format("{:.3g}%", share * 100); }

// Why a run or step with these numbers breaks `slo`, one clause per broken criterion,
// joined by "; ". Empty when it meets the SLO. Mirrors within_slo.
std::string slo_failures(const Slo& slo, double offered, double achieved, std::uint64_t requests,
                         std::uint64_t errors, const LatencySummary& ack,
                         const std::optional<LatencySummary>& end_to_end) {
  if (requests == 0) return "no requests were sent";
  std::vector<std::string> why;
  const LatencySummary& latency = end_to_end ? *end_to_end : ack;
  if (latency.p99 > slo.p99_ns) {
    why.push_back(fmt::format("{} p99 {} > {}", end_to_end ? "end-to-end" : "ack",
                              human_measured_ms(latency.p99), human_limit_ms(slo.p99_ns)));
  }
  const double error_share = static_cast<double>(errors) / static_cast<double>(requests);
  if (error_share > slo.max_error_share) {
    why.push_back(fmt::format("error share {} > {}", human_percent(error_share),
                              human_percent(slo.max_error_share)));
  }
  const double achieved_share = offered > 0 ? achieved / offered : 0;
  if (!(achieved_share >= slo.min_achieved_share)) {
    why.push_back(fmt::format("achieved {} of offered (< {})", human_percent(achieved_share),
                              human_percent(slo.min_achieved_share)));
  }
  std::string joined;
  for (const std::string& w : why) {
    if (!joined.empty()) joined += "; ";
    joined += w;
  }
  return joined;
}

// Requests answered non-2xx or not at all (status 0).
std::uint64_t error_requests(const BenchReport& report) {
  std::uint64_t errors = 0;
  for (const auto& [status, n] : report.status_counts) {
    if (status < 200 || status >= 300) errors += n;
  }
  return errors;
}

}  // namespace

bool within_slo(const Slo& slo, double offered_rate, double achieved_rate, std::uint64_t requests,
                std::uint64_t errors, const LatencySummary& ack,
                const std::optional<LatencySummary>& end_to_end) {
  return slo_failures(slo, offered_rate, achieved_rate, requests, errors, ack, end_to_end).empty();
}

CapacityPlan plan_capacity(const BenchReport& report, const Slo& slo, double planned_rate,
                           double headroom) {
  CapacityPlan plan;
  plan.planned_rate = planned_rate > 0 ? planned_rate : report.offered_rate;
  plan.headroom = headroom;
  plan.slo_p99_ns = slo.p99_ns;
  const std::string slo_text = "p99 <= " + human_limit_ms(slo.p99_ns);

  std::string unknown;  // why there is no plan; empty while there may be one
  if (!report.ramp.empty()) {
    if (report.sustainable_rate && *report.sustainable_rate > 0) {
      plan.per_instance_rate = *report.sustainable_rate;
    } else {
      // The first step is the lowest rate: if it failed, say how.
      const RampStepResult& first = report.ramp.front();
      unknown =
          fmt::format("no ramp step met the SLO ({}); the first step, {} alerts/s: {}", slo_text,
                      human_rate(first.offered_rate),
                      slo_failures(slo, first.offered_rate, first.achieved_rate, first.requests,
                                   first.errors, first.ack_latency, first.end_to_end_latency));
    }
  } else {
    const std::string why =
        slo_failures(slo, report.offered_rate, report.achieved_rate, report.requests_sent,
                     error_requests(report), report.ack_latency, report.end_to_end_latency);
    if (why.empty()) {
      plan.per_instance_rate = report.achieved_rate;
    } else {
      unknown = fmt::format(
          "the run did not meet the SLO ({}): {}; rerun at a lower rate or "
          "with --ramp to find the highest rate within it",
          slo_text, why);
    }
  }
  if (unknown.empty() && !(plan.planned_rate > 0)) {
    unknown = "there is no rate to plan for (give the planned rate)";
  }
  if (unknown.empty() && !(headroom > 0 && headroom <= 1)) {
    unknown = fmt::format("the headroom {} is not in (0, 1]", headroom);
  }
  if (unknown.empty() && !(plan.per_instance_rate > 0)) {
    unknown = "one instance sustained no alerts at all";
  }
  if (!unknown.empty()) {
    plan.per_instance_rate = 0;
    plan.instances = 0;
    plan.text = "capacity unknown: " + unknown;
    return plan;
  }

  // The tolerance keeps 63000 / (45000 * 0.7) at 2 although 0.7 is not exact in binary.
  const double needed = std::ceil(plan.planned_rate / (plan.per_instance_rate * headroom) - 1e-9);
  plan.instances = needed >= static_cast<double>(std::numeric_limits<unsigned>::max())
                       ? std::numeric_limits<unsigned>::max()
                       : static_cast<unsigned>(std::max(needed, 1.0));
  plan.text = fmt::format(
      "{} {} for {} alerts/s at {} (one instance sustained {} alerts/s; "
      "planned at {:.0f}%)",
      plan.instances, plan.instances == 1 ? "instance" : "instances", human_rate(plan.planned_rate),
      slo_text, human_rate(plan.per_instance_rate), headroom * 100);
  return plan;
}

}  // namespace alertgate::bench
