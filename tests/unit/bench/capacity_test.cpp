#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "alertgate/bench/bench_report.hpp"

namespace alertgate::bench {
namespace {

constexpr std::int64_t kMs = 1'000'000;

const Slo kSlo{.p99_ns = 10 * kMs, .max_error_share = 0.001, .min_achieved_share = 0.99};

LatencySummary with_p99(std::int64_t p99) {
  LatencySummary s;
  s.count = 1000;
  s.p50 = p99 / 4;
  s.p99 = p99;
  s.max = 2 * p99;
  return s;
}

// A single run at 45,000 alerts/s that meets kSlo: ack p99 5 ms, no errors.
BenchReport good_run() {
  BenchReport r;
  r.offered_rate = 45000;
  r.achieved_rate = 45000;
  r.requests_sent = 1000;
  r.status_counts = {{202, 1000}};
  r.ack_latency = with_p99(5 * kMs);
  return r;
}

RampStepResult step(double rate, std::int64_t p99, std::uint64_t errors = 0) {
  return {.offered_rate = rate,
          .achieved_rate = rate,
          .requests = 1000,
          .errors = errors,
          .ack_latency = with_p99(p99),
          .end_to_end_latency = std::nullopt,
          .within_slo = false};
}

}  // namespace

TEST_CASE("bench: within_slo checks p99, error share and achieved share") {
  const LatencySummary fast = with_p99(5 * kMs), slow = with_p99(11 * kMs);
  CHECK(within_slo(kSlo, 1000, 1000, 1000, 0, fast, std::nullopt));
  CHECK(within_slo(kSlo, 1000, 1000, 1000, 0, with_p99(10 * kMs), std::nullopt));  // <= holds
  CHECK_FALSE(within_slo(kSlo, 1000, 1000, 1000, 0, slow, std::nullopt));
  // End-to-end, when measured, is the latency that counts, either way round.
  CHECK_FALSE(within_slo(kSlo, 1000, 1000, 1000, 0, fast, slow));
  CHECK(within_slo(kSlo, 1000, 1000, 1000, 0, slow, fast));
  // Errors: 1 in 1000 is the limit, 2 break it.
  CHECK(within_slo(kSlo, 1000, 1000, 1000, 1, fast, std::nullopt));
  CHECK_FALSE(within_slo(kSlo, 1000, 1000, 1000, 2, fast, std::nullopt));
  // Achieved: 99 % of offered is the limit.
  CHECK(within_slo(kSlo, 1000, 990, 1000, 0, fast, std::nullopt));
  CHECK_FALSE(within_slo(kSlo, 1000, 985, 1000, 0, fast, std::nullopt));
  // Nothing sent or nothing offered proves nothing.
  CHECK_FALSE(within_slo(kSlo, 1000, 1000, 0, 0, fast, std::nullopt));
  CHECK_FALSE(within_slo(kSlo, 0, 0, 1000, 0, fast, std::nullopt));
}

TEST_CASE("bench: plan_capacity from a single run within the SLO") {
  const BenchReport r = good_run();
  const CapacityPlan plan = plan_capacity(r, kSlo, 100000);
  CHECK(plan.planned_rate == 100000);
  CHECK(plan.per_instance_rate == 45000);
  CHECK(plan.headroom == 0.7);
  CHECK(plan.slo_p99_ns == 10 * kMs);
  CHECK(plan.instances == 4);  // ceil(100000 / 31500) = ceil(3.17)
  CHECK(plan.text ==
        "4 instances for 100000 alerts/s at p99 <= 10 ms (one instance sustained 45000 "
        "alerts/s; planned at 70%)");

  CHECK(plan_capacity(r, kSlo, 63000).instances == 2);  // exactly 2 x 31500, not 3
  CHECK(plan_capacity(r, kSlo, 63001).instances == 3);
  const CapacityPlan one = plan_capacity(r, kSlo, 10000, 0.5);
  CHECK(one.instances == 1);
  CHECK(one.text ==
        "1 instance for 10000 alerts/s at p99 <= 10 ms (one instance sustained 45000 "
        "alerts/s; planned at 50%)");

  // No planned rate: plan for what was offered.
  const CapacityPlan offered = plan_capacity(r, kSlo, 0);
  CHECK(offered.planned_rate == 45000);
  CHECK(offered.instances == 2);  // ceil(45000 / 31500)
  CHECK(plan_capacity(r, kSlo, -5).planned_rate == 45000);

  Slo sub_ms;
  sub_ms.p99_ns = 250'000;
  BenchReport quick = good_run();
  quick.ack_latency = with_p99(200'000);
  CHECK(plan_capacity(quick, sub_ms, 90000).text.find("at p99 <= 0.25 ms") != std::string::npos);
}

TEST_CASE("bench: plan_capacity says why a run that breaks the SLO gives no plan") {
  BenchReport slow = good_run();
  slow.end_to_end_latency = with_p99(212 * kMs);
  CapacityPlan plan = plan_capacity(slow, kSlo, 100000);
  CHECK(plan.instances == 0);
  CHECK(plan.per_instance_rate == 0);
  CHECK(plan.planned_rate == 100000);
  CHECK(plan.text ==
        "capacity unknown: the run did not meet the SLO (p99 <= 10 ms): end-to-end p99 212.0 "
        "ms > 10 ms; rerun at a lower rate or with --ramp to find the highest rate within it");

  BenchReport errors = good_run();
  errors.status_counts = {{202, 979}, {500, 20}, {0, 1}};  // no answer counts as an error
  plan = plan_capacity(errors, kSlo, 100000);
  CHECK(plan.instances == 0);
  CHECK(plan.text.find(": error share 2.1% > 0.1%;") != std::string::npos);

  BenchReport behind = good_run();
  behind.achieved_rate = 36000;
  plan = plan_capacity(behind, kSlo, 100000);
  CHECK(plan.instances == 0);
  CHECK(plan.text.find(": achieved 80% of offered (< 99%);") != std::string::npos);

  BenchReport all = errors;
  all.achieved_rate = 36000;
  all.ack_latency = with_p99(212 * kMs);
  plan = plan_capacity(all, kSlo, 100000);
  CHECK(plan.text.find("ack p99 212.0 ms > 10 ms; error share 2.1% > 0.1%; achieved 80% of "
                       "offered (< 99%)") != std::string::npos);

  BenchReport nothing;
  CHECK(plan_capacity(nothing, kSlo, 100000).text ==
        "capacity unknown: the run did not meet the SLO (p99 <= 10 ms): no requests were "
        "sent; rerun at a lower rate or with --ramp to find the highest rate within it");

  CHECK(plan_capacity(good_run(), kSlo, 100000, 0).instances == 0);
  CHECK(plan_capacity(good_run(), kSlo, 100000, 1.5).text ==
        "capacity unknown: the headroom 1.5 is not in (0, 1]");
}

TEST_CASE("bench: plan_capacity from a ramp uses the sustainable rate") {
  BenchReport r;
  r.offered_rate = 60000;  // the ramp's last step, not what is planned from
  r.achieved_rate = 41000;
  r.ramp = {step(10000, 2 * kMs), step(20000, 3 * kMs), step(30000, 8 * kMs),
            step(40000, 40 * kMs)};
  r.sustainable_rate = 30000;
  CapacityPlan plan = plan_capacity(r, kSlo, 100000, 0.5);
  CHECK(plan.per_instance_rate == 30000);
  CHECK(plan.instances == 7);  // ceil(100000 / 15000)
  CHECK(plan.text ==
        "7 instances for 100000 alerts/s at p99 <= 10 ms (one instance sustained 30000 "
        "alerts/s; planned at 50%)");

  // No step within the SLO: the first (lowest) step says why.
  r.ramp = {step(10000, 30 * kMs, 5), step(20000, 60 * kMs)};
  r.sustainable_rate.reset();
  plan = plan_capacity(r, kSlo, 100000);
  CHECK(plan.instances == 0);
  CHECK(plan.text ==
        "capacity unknown: no ramp step met the SLO (p99 <= 10 ms); the first step, 10000 "
        "alerts/s: ack p99 30.0 ms > 10 ms; error share 0.5% > 0.1%");
}

}  // namespace alertgate::bench
