#include "alertgate/bench/bench_driver.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <memory>
#include <ostream>
#include <thread>

#include "alertgate/bench/embedded_sink.hpp"
#include "alertgate/bench/html_report.hpp"
#include "alertgate/bench/kafka_probe.hpp"
#include "alertgate/bench/load_generator.hpp"
#include "alertgate/bench/open_loop_schedule.hpp"
#include "proc_sampler.hpp"

namespace alertgate::bench {

namespace {

using std::chrono::nanoseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kTick = std::chrono::seconds(1);
constexpr auto kStartDelay = std::chrono::milliseconds(200);  // time to connect first
constexpr unsigned kMaxThreads = 64;
constexpr unsigned kMaxConnections = 100'000;
constexpr std::size_t kMaxRampSteps = 200;

double seconds(nanoseconds d) { return std::chrono::duration<double>(d).count(); }

std::string ms(std::int64_t ns) { return fmt::format("{:.2f} ms", static_cast<double>(ns) / 1e6); }

// Everything the driver owns for one run.
struct Run {
  Run(const BenchOptions& o, std::ostream& out_stream, std::ostream& err_stream)
      : options(o), out(out_stream), err(err_stream) {}

  const BenchOptions& options;
  std::ostream& out;
  std::ostream& err;
  std::vector<LoadOptions::Tenant> tenants;
  std::vector<RateStep> steps;
  std::optional<OpenLoopSchedule> schedule;
  std::optional<BodyGenerator> bodies;
  std::unique_ptr<LoadGenerator> load;
  std::unique_ptr<EmbeddedSink> sink;
  std::unique_ptr<KafkaProbe> kafka;
  std::optional<ProcSampler> sampler;
  TargetUrl target;
  BenchReport report;
  std::optional<Slo> slo;

  // Ramp bookkeeping.
  std::size_t next_step_to_judge = 0;
  bool ramp_broken = false;

  // Progress bookkeeping.
  std::uint64_t last_due = 0;
  SteadyClock::time_point last_tick{};
  SteadyClock::time_point started{};

  unsigned batch() const { return options.body.batch; }
};

int fail(std::ostream& err, int code, std::string_view message) {
  fmt::print(err, "alertgate bench: {}\n", message);
  return code;
}

// The tenants' credentials: from the tokens file (the first `tenants`, or all of them when
// --tenants was left at 0), else one tenant without credentials.
Result<std::vector<LoadOptions::Tenant>> make_tenants(const BenchOptions& o) {
  std::vector<LoadOptions::Tenant> out;
  if (o.tokens_file.empty()) {
    out.resize(std::max(1U, o.tenants));
    return out;
  }
  auto tokens = read_tokens_file(o.tokens_file);
  if (!tokens) return unexpected(tokens.error());
  const std::size_t n = o.tenants == 0 ? tokens->size() : o.tenants;
  if (n > tokens->size()) {
    return unexpected(Error{fmt::format("--tenants {}: {} has only {} token(s)", n,
                                        o.tokens_file.string(), tokens->size())});
  }
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back({"Bearer " + (*tokens)[i].token, (*tokens)[i].token});
  }
  return out;
}

// The rate steps in requests/s (the schedule counts requests; alerts = requests * batch).
Result<std::vector<RateStep>> make_steps(const BenchOptions& o) {
  const double batch = o.body.batch;
  if (!(o.rate > 0)) return unexpected(Error{"--rate must be > 0"});
  if (o.duration <= nanoseconds(0)) return unexpected(Error{"--duration must be > 0"});
  std::vector<RateStep> steps;
  if (!o.ramp) {
    steps.push_back({o.rate / batch, o.duration});
    return steps;
  }
  if (!o.slo_p99) return unexpected(Error{"--ramp needs --slo-p99 (e.g. --slo-p99 200ms)"});
  const double step = o.ramp_step > 0 ? o.ramp_step : o.rate;
  const double max_rate = o.max_rate > 0 ? o.max_rate : 20 * o.rate;
  if (o.step_duration <= nanoseconds(0)) return unexpected(Error{"--step-duration must be > 0"});
  for (double r = o.rate; r <= max_rate * (1 + 1e-9); r += step) {
    if (steps.size() == kMaxRampSteps) {
      return unexpected(
          Error{fmt::format("--ramp makes more than {} steps: raise --ramp-step", kMaxRampSteps)});
    }
    steps.push_back({r / batch, o.step_duration});
  }
  return steps;
}

LatencySummary summarize(const LatencyHistogram& h) { return LatencySummary::of(h); }

// One progress line and one timeline point.
void tick(Run& run) {
  const auto at = SteadyClock::now();
  const double dt = seconds(at - run.last_tick);
  run.last_tick = at;
  LatencyHistogram ack;
  const LoadCounts counts = run.load->collect_interval(ack);
  IntervalSample s;
  s.t_s = seconds(now() - run.schedule->start());
  const std::uint64_t due = counts.due;
  s.offered_rate =
      dt > 0 ? static_cast<double>((due - std::min(due, run.last_due)) * run.batch()) / dt : 0;
  run.last_due = std::max(run.last_due, due);
  s.acked_rate = dt > 0 ? static_cast<double>(counts.alerts_acked) / dt : 0;
  s.errors = counts.errors;
  s.ack_p50 = ack.value_at_percentile(50);
  s.ack_p99 = ack.value_at_percentile(99);
  s.ack_max = ack.max();
  if (run.sink) {
    LatencyHistogram e2e;
    const SinkCounts sc = run.sink->collect_interval(e2e);
    s.delivered_rate = dt > 0 ? static_cast<double>(sc.distinct) / dt : 0;
    s.e2e_p50 = e2e.value_at_percentile(50);
    s.e2e_p99 = e2e.value_at_percentile(99);
    s.e2e_max = e2e.max();
  }
  if (run.sampler) run.sampler->sample();
  run.report.timeline.push_back(s);
  if (run.options.quiet) return;
  std::string line = fmt::format("[{:6.1f}s] offered {:.0f}/s acked {:.0f}/s errors {} ack p99 {}",
                                 s.t_s, s.offered_rate, s.acked_rate, s.errors, ms(s.ack_p99));
  if (run.sink) {
    line += fmt::format(" delivered {:.0f}/s e2e p99 {}", s.delivered_rate, ms(s.e2e_p99));
  }
  fmt::print(run.err, "{}\n", line);
  run.err.flush();
}

// Judges every ramp step whose verdict is due: all its requests answered, and its alerts
// given 2 x the SLO (at least 500 ms, at most the request timeout) after the step ended to
// reach the sink. Alerts acknowledged but not delivered by then are counted at that age:
// at least their true latency's lower bound, so a late step cannot look good.
void judge_steps(Run& run, bool final) {
  const Slo& slo = *run.slo;
  const nanoseconds settle =
      std::clamp(nanoseconds(2 * slo.p99_ns), nanoseconds(std::chrono::milliseconds(500)),
                 run.options.timeout);
  while (!run.ramp_broken && run.next_step_to_judge < run.steps.size()) {
    const std::size_t k = run.next_step_to_judge;
    nanoseconds step_end{0};
    for (std::size_t i = 0; i <= k; ++i) step_end += run.steps[i].duration;
    const TimePoint end = run.schedule->start() + step_end;
    LatencyHistogram ack;
    const LoadCounts c = run.load->step_totals(k, ack);
    const std::uint64_t requests = run.schedule->step_requests(k);
    const bool answered = c.requests_answered >= requests;
    if (!final && (now() < end + settle || (!answered && now() < end + run.options.timeout))) {
      return;
    }
    RampStepResult r;
    r.offered_rate = run.steps[k].rate * run.batch();
    r.achieved_rate = static_cast<double>(c.alerts_acked) / seconds(run.steps[k].duration);
    r.requests = requests;
    r.errors = c.errors + (requests - std::min(requests, c.requests_answered));
    r.ack_latency = summarize(ack);
    if (run.sink) {
      LatencyHistogram e2e;
      const std::uint64_t delivered = run.sink->step_result(k, e2e);
      const std::uint64_t acked = c.alerts_acked;
      if (acked > delivered) e2e.record((now() - end).count(), acked - delivered);
      r.end_to_end_latency = summarize(e2e);
    }
    r.within_slo = within_slo(slo, r.offered_rate, r.achieved_rate, r.requests, r.errors,
                              r.ack_latency, r.end_to_end_latency);
    run.report.ramp.push_back(r);
    ++run.next_step_to_judge;
    if (!run.options.quiet) {
      fmt::print(run.err, "step {}: {:.0f} alerts/s offered, {:.0f} achieved, p99 {} -> {}\n",
                 k + 1, r.offered_rate, r.achieved_rate,
                 ms(r.end_to_end_latency ? r.end_to_end_latency->p99 : r.ack_latency.p99),
                 r.within_slo ? "within the SLO" : "breaks the SLO");
    }
    if (r.within_slo) {
      run.report.sustainable_rate = r.offered_rate;
    } else {
      run.ramp_broken = true;
      run.load->stop();
    }
  }
}

// After the load: give the sink (and Kafka) up to --drain to see every acknowledged alert,
// ending early once nothing new arrived for a second.
void drain(Run& run, std::uint64_t acked) {
  if (!run.sink && !run.kafka) return;
  const auto deadline = SteadyClock::now() + run.options.drain;
  std::uint64_t last_seen = ~std::uint64_t{0};
  auto last_growth = SteadyClock::now();
  while (SteadyClock::now() < deadline) {
    LatencyHistogram scratch;
    std::uint64_t seen = 0;
    if (run.sink)
      seen = run.sink->totals(scratch).distinct;
    else
      seen = run.kafka->collect(scratch).measured;
    if (seen >= acked) return;
    if (seen != last_seen) {
      last_seen = seen;
      last_growth = SteadyClock::now();
    } else if (SteadyClock::now() - last_growth > std::chrono::seconds(1)) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (SteadyClock::now() - run.last_tick >= kTick) tick(run);
  }
}

void fill_report(Run& run, const LoadCounts& totals, const LatencyHistogram& ack) {
  BenchReport& r = run.report;
  const BenchOptions& o = run.options;
  r.format = std::string(to_string(o.body.format));
  r.batch = o.body.batch;
  r.connections = o.connections;
  r.tenants = static_cast<unsigned>(run.tenants.size());
  r.target = o.target_url;
  // A single run is judged over its schedule; a ramp reports its last judged step.
  r.offered_rate = run.steps.front().rate * run.batch();
  r.duration_s = seconds(run.steps.front().duration);
  r.achieved_rate = static_cast<double>(totals.alerts_acked) / r.duration_s;
  if (o.ramp && !r.ramp.empty()) {
    r.duration_s = 0;
    for (std::size_t k = 0; k < r.ramp.size(); ++k) r.duration_s += seconds(run.steps[k].duration);
    r.offered_rate = r.ramp.back().offered_rate;
    r.achieved_rate = r.ramp.back().achieved_rate;
  }
  r.requests_sent = totals.requests_sent;
  r.alerts_sent = totals.alerts_sent;
  r.alerts_acked = totals.alerts_acked;
  for (std::size_t s = 0; s < totals.status.size(); ++s) {
    if (totals.status[s] != 0) r.status_counts[static_cast<int>(s)] = totals.status[s];
  }
  r.ack_latency = summarize(ack);
  r.ack_curve = percentile_curve(ack);
  r.per_tenant_acked = totals.per_tenant_acked;
  r.late_sends = totals.late_sends;
  if (run.sink) {
    LatencyHistogram e2e;
    const SinkCounts sc = run.sink->totals(e2e);
    r.alerts_delivered = sc.distinct;
    r.delivered_duplicates = sc.duplicates;
    r.sink_unreadable = sc.unreadable;
    r.end_to_end_latency = summarize(e2e);
    r.e2e_curve = percentile_curve(e2e);
  }
  if (run.kafka) {
    LatencyHistogram k;
    const KafkaProbeCounts kc = run.kafka->collect(k);
    r.kafka_messages = kc.messages;
    r.kafka_latency = summarize(k);
  }
  if (run.sampler && run.sampler->ok()) r.target_usage = run.sampler->usage();
  if (run.slo) {
    r.slo = run.slo;
    r.plan = plan_capacity(r, *run.slo, o.plan_rate);
  }
}

bool write_text(const std::filesystem::path& path, const std::string& text, std::ostream& err) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  if (f) return true;
  fmt::print(err, "alertgate bench: cannot write {}\n", path.string());
  return false;
}

}  // namespace

int run_bench(const BenchOptions& o, std::ostream& out, std::ostream& err, BenchReport* report) {
  Run run(o, out, err);
  if (o.threads == 0 || o.threads > kMaxThreads) {
    return fail(err, kBenchUsage, fmt::format("--threads must be 1..{}", kMaxThreads));
  }
  if (o.connections == 0 || o.connections > kMaxConnections) {
    return fail(err, kBenchUsage, fmt::format("--connections must be 1..{}", kMaxConnections));
  }
  auto target = parse_target_url(o.target_url);
  if (!target) return fail(err, kBenchUsage, target.error().message);
  run.target = std::move(target).value();
  if (run.target.path == "/") run.target.path = std::string(default_path(o.body.format));
  BodyOptions body = o.body;
  if (body.run_label.empty()) {
    body.run_label = fmt::format("{:x}", now().time_since_epoch().count() / 1000);
  }
  auto bodies = BodyGenerator::make(body);
  if (!bodies) return fail(err, kBenchUsage, bodies.error().message);
  run.bodies.emplace(std::move(bodies).value());
  auto tenants = make_tenants(o);
  if (!tenants) return fail(err, kBenchUsage, tenants.error().message);
  run.tenants = std::move(tenants).value();
  auto steps = make_steps(o);
  if (!steps) return fail(err, kBenchUsage, steps.error().message);
  run.steps = std::move(steps).value();
  if (o.slo_p99) {
    run.slo = Slo{.p99_ns = o.slo_p99->count(), .max_error_share = o.slo_errors};
  }
  auto schedule = OpenLoopSchedule::make(now() + kStartDelay, run.steps);
  if (!schedule) return fail(err, kBenchUsage, schedule.error().message);
  run.schedule.emplace(std::move(schedule).value());

  if (!o.sink_listen.empty()) {
    SinkOptions so;
    so.listen = o.sink_listen;
    so.expected_alerts = run.schedule->total() * run.batch();
    if (run.steps.size() > 1) {
      so.steps = run.steps.size();
      so.step_of_seq = [&run](std::uint64_t seq) {
        return run.schedule->step_of(std::min(seq / run.batch(), run.schedule->total() - 1));
      };
    }
    run.sink = std::make_unique<EmbeddedSink>(std::move(so));
    auto port = run.sink->start();
    if (!port) return fail(err, kBenchUsage, "--sink-listen: " + port.error().message);
  }
  if (!o.kafka_brokers.empty()) {
    KafkaProbeOptions ko;
    ko.brokers = o.kafka_brokers;
    run.kafka = std::make_unique<KafkaProbe>(std::move(ko));
    auto started = run.kafka->start();
    if (!started) return fail(err, kBenchUsage, "--kafka-brokers: " + started.error().message);
  }
  if (o.target_pid > 0) {
    run.sampler.emplace(o.target_pid);
    if (!run.sampler->sample()) {
      return fail(err, kBenchUsage, fmt::format("--target-pid {}: no such process", o.target_pid));
    }
  }

  LoadOptions lo;
  lo.target = run.target;
  lo.threads = o.threads;
  lo.connections = o.connections;
  lo.timeout = o.timeout;
  lo.tenants = run.tenants;
  run.load = std::make_unique<LoadGenerator>(std::move(lo), *run.schedule, *run.bodies);

  std::atomic<bool> finished{false};
  Result<bool> outcome = true;
  std::thread runner([&] {
    outcome = run.load->run();
    finished = true;
  });
  run.started = run.last_tick = SteadyClock::now();
  auto next_tick = run.started + kTick;
  while (!finished) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (SteadyClock::now() < next_tick) continue;
    next_tick += kTick;
    tick(run);
    if (o.ramp) judge_steps(run, false);
  }
  runner.join();
  if (!outcome) return fail(err, kBenchUnreachable, outcome.error().message);

  LatencyHistogram ack;
  LoadCounts totals = run.load->totals(ack);
  drain(run, totals.alerts_acked);
  if (o.ramp) judge_steps(run, true);
  tick(run);
  fill_report(run, totals, ack);
  if (run.sink) run.sink->stop();
  if (run.kafka) run.kafka->stop();

  if (!o.json_path.empty() && !write_text(o.json_path, to_json(run.report) + "\n", err)) {
    return kBenchUsage;
  }
  if (!o.report_path.empty() && !write_text(o.report_path, render_html(run.report), err)) {
    return kBenchUsage;
  }
  print_table(out, run.report);
  if (report) *report = run.report;
  const bool nothing_answered =
      totals.requests_sent > 0 && totals.status[0] == totals.requests_answered;
  if (nothing_answered) {
    return fail(err, kBenchUnreachable, fmt::format("no answer from {}", o.target_url));
  }
  return kBenchOk;
}

}  // namespace alertgate::bench
