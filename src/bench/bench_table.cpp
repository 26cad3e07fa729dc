// The human summary of a bench run (stdout at the end).
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <algorithm>
#include <ostream>

#include "alertgate/bench/bench_driver.hpp"

namespace alertgate::bench {

namespace {

std::string ms(std::int64_t ns) { return fmt::format("{:.3f}", static_cast<double>(ns) / 1e6); }

void latency_row(std::ostream& out, std::string_view name, const LatencySummary& s) {
  fmt::print(out, "  {:<22} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}   (n={})\n", name, ms(s.p50),
             ms(s.p90), ms(s.p95), ms(s.p99), ms(s.p999), ms(s.max), s.count);
}

}  // namespace

void print_table(std::ostream& out, const BenchReport& r) {
  fmt::print(out, "alertgate bench: {} ({}, {} alert(s)/request, {} connection(s), {} tenant(s))\n",
             r.target, r.format, r.batch, r.connections, r.tenants);
  fmt::print(out, "  duration {:.1f} s, offered {:.1f} alerts/s, achieved {:.1f} alerts/s\n",
             r.duration_s, r.offered_rate, r.achieved_rate);
  fmt::print(out, "  requests {}, alerts sent {}, acknowledged {}", r.requests_sent, r.alerts_sent,
             r.alerts_acked);
  if (r.end_to_end_latency) {
    fmt::print(out, ", delivered {} (+{} duplicate(s))", r.alerts_delivered,
               r.delivered_duplicates);
  }
  fmt::print(out, "\n  status:");
  for (const auto& [status, n] : r.status_counts) {
    fmt::print(out, " {}={}", status == 0 ? std::string("no_answer") : std::to_string(status), n);
  }
  fmt::print(out, "{}\n", r.late_sends ? fmt::format("   late sends: {}", r.late_sends) : "");
  fmt::print(out, "  latency (ms)            {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "p50", "p90",
             "p95", "p99", "p99.9", "max");
  latency_row(out, "ack", r.ack_latency);
  if (r.end_to_end_latency) latency_row(out, "end-to-end", *r.end_to_end_latency);
  if (r.kafka_latency) latency_row(out, "ingest -> kafka", *r.kafka_latency);
  if (!r.per_tenant_acked.empty() && r.per_tenant_acked.size() > 1) {
    const auto [lo, hi] = std::minmax_element(r.per_tenant_acked.begin(), r.per_tenant_acked.end());
    fmt::print(out, "  per tenant acknowledged: min {} max {}\n", *lo, *hi);
  }
  if (r.target_usage) {
    fmt::print(out, "  target process: CPU {:.1f} % of a core, RSS max {:.1f} MiB\n",
               r.target_usage->cpu_percent,
               static_cast<double>(r.target_usage->rss_max_bytes) / (1024.0 * 1024.0));
  }
  for (std::size_t k = 0; k < r.ramp.size(); ++k) {
    const RampStepResult& s = r.ramp[k];
    const auto& lat = s.end_to_end_latency ? *s.end_to_end_latency : s.ack_latency;
    fmt::print(out,
               "  ramp step {:>3}: offered {:>10.1f}/s achieved {:>10.1f}/s p99 {:>9} ms "
               "errors {:>6}  {}\n",
               k + 1, s.offered_rate, s.achieved_rate, ms(lat.p99), s.errors,
               s.within_slo ? "ok" : "BREAKS SLO");
  }
  if (r.sustainable_rate) {
    fmt::print(out, "  highest sustainable rate: {:.1f} alerts/s\n", *r.sustainable_rate);
  }
  if (r.plan) fmt::print(out, "  plan: {}\n", r.plan->text);
}

}  // namespace alertgate::bench
