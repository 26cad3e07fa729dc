#include "bench_command.hpp"

#include <iostream>

#include "alertgate/main_config.hpp"

namespace alertgate {

namespace {

bool parse_ns(const std::string& flag, const std::string& text, std::chrono::nanoseconds& out) {
  auto parsed = parse_duration(text);
  if (!parsed || parsed->count() <= 0) {
    std::cerr << "alertgate bench: " << flag << " " << text
              << ": expected a duration > 0 such as 500ms, 10s, 1m\n";
    return false;
  }
  out = *parsed;
  return true;
}

// --sink-only: --duration bounds the wait (the run's length, as with load).
int sink_only_command(BenchCli& s) {
  if (!s.options.target_url.empty() || s.options.ramp) {
    std::cerr << "alertgate bench: --sink-only offers no load: drop --target and --ramp\n";
    return bench::kBenchUsage;
  }
  bench::SinkOnlyOptions so;
  if (!s.options.sink_listen.empty()) so.listen = s.options.sink_listen;
  so.expected_alerts = s.expect_alerts;
  so.port_file = s.port_file;
  so.json_path = s.options.json_path;
  so.quiet = s.options.quiet;
  if (!parse_ns("--duration", s.duration, so.timeout) || !parse_ns("--idle", s.idle, so.idle)) {
    return bench::kBenchUsage;
  }
  return bench::run_sink_only(so, std::cout, std::cerr);
}

}  // namespace

CLI::App* add_bench_command(CLI::App& cli, BenchCli& s) {
  auto* b = cli.add_subcommand(
      "bench", "Open-loop load generator: ack and end-to-end latency, capacity plan");
  auto& o = s.options;
  b->add_option("--target", o.target_url, "http://HOST:PORT[/path] to load");
  b->add_option("--rate", o.rate, "Alerts/s offered (fixed schedule)")->capture_default_str();
  b->add_option("--duration", s.duration, "Run time, e.g. 10s, 1m")->capture_default_str();
  b->add_option("--connections", o.connections, "Keep-alive connections")->capture_default_str();
  b->add_option("--threads", o.threads, "Load worker threads")->capture_default_str();
  b->add_option("--batch", o.body.batch, "Alerts per request")->capture_default_str();
  b->add_option("--format", s.format, "am-v2 | native | pagerduty")->capture_default_str();
  b->add_option("--tenants", o.tenants, "Tenants (default: all of --tokens-file, else 1)");
  b->add_option("--tokens-file", o.tokens_file, "Lines \"tenant_id token\" (Bearer tokens)");
  b->add_option("--label-cardinality", o.body.label_cardinality,
                "Distinct alert identities (0: every new alert unique)");
  b->add_option("--repeat-share", o.body.repeat_share, "Share of re-sent alerts (0..1)");
  b->add_option("--resolve-share", o.body.resolve_share, "Share of resolving alerts (0..1)");
  b->add_option("--timeout", s.timeout, "Per-request timeout")->capture_default_str();
  b->add_option("--sink-listen", o.sink_listen, "HOST:PORT of the embedded webhook receiver");
  b->add_option("--drain", s.drain, "Wait for deliveries after the load")->capture_default_str();
  b->add_option("--kafka-brokers", o.kafka_brokers, "Measure ingest -> Kafka on ^alerts-.*");
  b->add_flag("--ramp", o.ramp, "Step the rate up until the SLO breaks");
  b->add_option("--ramp-step", o.ramp_step, "Rate increase per step (default: --rate)");
  b->add_option("--step-duration", s.step_duration, "Ramp step length")->capture_default_str();
  b->add_option("--max-rate", o.max_rate, "Highest ramp rate (default: 20 x --rate)");
  b->add_option("--slo-p99", s.slo_p99, "p99 the SLO allows, e.g. 10ms (end-to-end with a sink)");
  b->add_option("--slo-errors", o.slo_errors, "Error share the SLO allows")->capture_default_str();
  b->add_option("--plan-rate", o.plan_rate, "Plan capacity for this many alerts/s");
  b->add_option("--target-pid", o.target_pid, "Sample CPU and RSS of this local process");
  b->add_option("--json", o.json_path, "Write the JSON report here");
  b->add_option("--report", o.report_path, "Write the HTML report here");
  b->add_flag("--quiet", o.quiet, "No progress line");
  b->add_option("--write-config", s.write_config,
                "Write a daemon config routing every alert to --sink-url into DIR, then exit");
  b->add_option("--sink-url", s.sink_url, "With --write-config: the webhook URL");
  b->add_option("--durability", s.durability, "With --write-config: memory | wal");
  b->add_option("--listen", s.listen, "With --write-config: the daemon's listen address")
      ->capture_default_str();
  b->add_option("--config-threads", s.threads_config, "With --write-config: the daemon's threads")
      ->capture_default_str();
  b->add_flag("--sink-only", s.sink_only,
              "No load: the embedded sink (--sink-listen) counts what others deliver, until "
              "--expect-alerts arrived, --idle passed after the first or --duration ran out");
  b->add_option("--expect-alerts", s.expect_alerts, "With --sink-only: alerts to wait for");
  b->add_option("--idle", s.idle, "With --sink-only: stop when nothing new arrived for this long")
      ->capture_default_str();
  b->add_option("--port-file", s.port_file, "With --sink-only: write the sink's bound port here");
  return b;
}

int run_bench_command(BenchCli& s) {
  if (!s.write_config.empty()) {
    bench::BenchConfigOptions c;
    c.dir = s.write_config;
    c.sink_url = s.sink_url;
    c.tenants = s.options.tenants == 0 ? 1 : s.options.tenants;
    c.durability = s.durability;
    c.listen = s.listen;
    c.threads = s.threads_config;
    auto written = bench::write_bench_config(c);
    if (!written) {
      std::cerr << "alertgate bench: " << written.error().message << "\n";
      return bench::kBenchUsage;
    }
    std::cout << "wrote " << (c.dir / "alertgate.yaml").string() << ", " << c.tenants
              << " tenant(s) and " << (c.dir / "tokens.txt").string() << "\n";
    return 0;
  }
  auto& o = s.options;
  if (s.sink_only) return sink_only_command(s);
  if (o.target_url.empty()) {
    std::cerr << "alertgate bench: --target is required (or --write-config DIR)\n";
    return bench::kBenchUsage;
  }
  auto format = bench::parse_body_format(s.format);
  if (!format) {
    std::cerr << "alertgate bench: --format: " << format.error().message << "\n";
    return bench::kBenchUsage;
  }
  o.body.format = *format;
  if (!parse_ns("--duration", s.duration, o.duration) ||
      !parse_ns("--timeout", s.timeout, o.timeout) ||
      !parse_ns("--step-duration", s.step_duration, o.step_duration)) {
    return bench::kBenchUsage;
  }
  if (s.drain == "0" || s.drain == "0s") {
    o.drain = std::chrono::nanoseconds(0);
  } else if (!parse_ns("--drain", s.drain, o.drain)) {
    return bench::kBenchUsage;
  }
  if (!s.slo_p99.empty()) {
    std::chrono::nanoseconds slo{};
    if (!parse_ns("--slo-p99", s.slo_p99, slo)) return bench::kBenchUsage;
    o.slo_p99 = slo;
  }
  return bench::run_bench(o, std::cout, std::cerr);
}

}  // namespace alertgate
