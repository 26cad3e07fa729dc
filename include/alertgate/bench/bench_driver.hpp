// The `alertgate bench` run: builds the schedule, the bodies, the load generator, the
// embedded sink and the Kafka probe from BenchOptions, drives them (one progress line per
// second, ramp steps judged against the SLO), then fills a BenchReport and writes the
// human table, the JSON and the HTML report. The CLI (src/app/bench_command.cpp) only
// parses flags into BenchOptions.
//
// Thread: the caller's thread is the driver (progress, sampling, ramp decisions); the
// load workers, the sink and the probe run on their own threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "alertgate/bench/bench_report.hpp"
#include "alertgate/bench/body_generator.hpp"
#include "alertgate/result.hpp"

namespace alertgate::bench {

struct BenchOptions {
  std::string target_url;
  double rate = 1000;  // alerts/s
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  unsigned connections = 32;
  unsigned threads = 1;
  BodyOptions body;
  unsigned tenants = 0;               // 0: every token of tokens_file, or 1 without a file
  std::filesystem::path tokens_file;  // empty: no Authorization header
  std::chrono::nanoseconds timeout = std::chrono::seconds(5);
  std::string sink_listen;  // empty: no embedded sink
  std::chrono::nanoseconds drain = std::chrono::seconds(5);
  std::string kafka_brokers;  // empty: no Kafka probe
  bool ramp = false;
  double ramp_step = 0;  // 0: = rate
  std::chrono::nanoseconds step_duration = std::chrono::seconds(10);
  double max_rate = 0;  // 0: 20 x rate
  std::optional<std::chrono::nanoseconds> slo_p99;
  double slo_errors = 0.001;
  double plan_rate = 0;  // 0: the offered rate
  int target_pid = 0;    // 0: no sampling
  std::filesystem::path json_path;
  std::filesystem::path report_path;
  bool quiet = false;
};

// Exit codes of run_bench.
inline constexpr int kBenchOk = 0;
inline constexpr int kBenchUsage = 1;
inline constexpr int kBenchUnreachable = 2;

// Runs the benchmark; human output to `out`, progress and errors to `err`. Returns an exit
// code (above). `report` (optional) receives the report.
int run_bench(const BenchOptions& options, std::ostream& out, std::ostream& err,
              BenchReport* report = nullptr);

// One line of a tokens file: "tenant_id token".
struct TenantToken {
  std::string tenant_id;
  std::string token;
};
// Reads "tenant_id token" lines ('#' comments, blank lines skipped). Errors name the line.
Result<std::vector<TenantToken>> read_tokens_file(const std::filesystem::path& path);

// `alertgate bench --write-config DIR`: a main config and `tenants` tenant files routing
// every alert to one webhook destination at sink_url (group_wait 0s), plus tokens.txt.
struct BenchConfigOptions {
  std::filesystem::path dir;
  std::string sink_url;
  unsigned tenants = 1;
  std::string durability;  // "" = leave the daemon's default; else written as `durability:`
  std::string listen = "127.0.0.1:0";
  std::string threads = "auto";
};
Result<bool> write_bench_config(const BenchConfigOptions& options);

// The human table printed at the end of a run.
void print_table(std::ostream& out, const BenchReport& report);

}  // namespace alertgate::bench
