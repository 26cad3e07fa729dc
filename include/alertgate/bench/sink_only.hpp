// `alertgate bench --sink-only`: the embedded webhook sink alone, no load. It counts the
// bench alerts some other process delivers (a router consuming a backlog that an earlier
// `alertgate bench` run wrote) and reports how fast they arrived: bench/kafka.sh's
// "router consumption alerts/s into a local webhook sink".
//
// The run: start the sink (a port-0 listen address picks a free port), write the bound
// port to `port_file` (atomically: a reader never sees a partial file) so a script can put
// the sink's URL into the daemon's config, then poll the sink until the DeliveryWatch ends
// the wait (expected count reached, timeout, or idle after the first alert), stop the
// sink, write the JSON report (sink_only_report.hpp) and print one summary line to `out`.
// Progress (one line a second unless quiet) and errors go to `err`.
//
// Thread: the caller's thread polls; the sink runs on its own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>

#include "alertgate/bench/sink_only_report.hpp"

namespace alertgate::bench {

struct SinkOnlyOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT of the sink
  std::uint64_t expected_alerts = 0;   // 0: wait for idle (or the timeout)
  std::chrono::nanoseconds timeout = std::chrono::minutes(5);
  std::chrono::nanoseconds idle = std::chrono::seconds(10);
  std::filesystem::path port_file;  // empty: the port is only printed to `err`
  std::filesystem::path json_path;  // empty: no JSON report
  bool quiet = false;
};

// Exit codes as run_bench: kBenchOk when the wait ended (whatever arrived), kBenchUsage
// when the sink cannot listen or a file cannot be written. `report` (optional) receives
// the report.
int run_sink_only(const SinkOnlyOptions& options, std::ostream& out, std::ostream& err,
                  SinkOnlyReport* report = nullptr);

}  // namespace alertgate::bench
