// `alertgate bench`: the CLI of the load generator (flags -> bench::BenchOptions), of
// `--write-config` and of `--sink-only` (flags -> bench::SinkOnlyOptions). Main thread only; the
// run itself is bench::run_bench.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "alertgate/bench/bench_driver.hpp"
#include "alertgate/bench/sink_only.hpp"

namespace alertgate {

struct BenchCli {
  bench::BenchOptions options;
  // Flags that need parsing beyond CLI11 (durations, the format) or select another mode.
  std::string format = "am-v2";
  std::string duration = "10s", timeout = "5s", drain = "5s", step_duration = "10s";
  std::string slo_p99;
  std::string write_config;  // --write-config DIR
  std::string sink_url;
  std::string durability;
  std::string listen = "127.0.0.1:0";
  std::string threads_config = "auto";
  // --sink-only: the embedded sink alone (--sink-listen, --json, --quiet shared with a run).
  bool sink_only = false;
  std::uint64_t expect_alerts = 0;
  std::string idle = "10s";
  std::string port_file;
};

CLI::App* add_bench_command(CLI::App& cli, BenchCli& state);
int run_bench_command(BenchCli& state);

}  // namespace alertgate
