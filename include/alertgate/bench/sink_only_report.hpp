// SinkOnlyReport: what `alertgate bench --sink-only` measured -- how many distinct alerts
// the embedded sink received and how fast -- and its JSON form (`--json FILE`):
//
//   {"mode":"sink-only","expected":N,"stopped_by":"expected|timeout|idle",
//    "distinct":N,"duplicates":N,"requests":N,"unreadable":N,"waited_s":S,
//    "seconds_start_to_last":S,"seconds_first_to_last":S,
//    "alerts_per_second_from_start":R,"alerts_per_second_first_to_last":R}
//
// Times are the sink's arrival times of distinct alerts (duplicates do not move them);
// "start" is when the sink began listening. A span that is 0 (nothing, or one request,
// arrived) has no rate: the rate is null. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "alertgate/bench/delivery_watch.hpp"
#include "alertgate/bench/embedded_sink.hpp"
#include "alertgate/time.hpp"

namespace alertgate::bench {

struct SinkOnlyReport {
  std::uint64_t expected = 0;
  WaitEnd stopped_by = WaitEnd::waiting;
  SinkCounts counts;
  double waited_s = 0;                       // how long the run waited, start to stop
  double seconds_start_to_last = 0;          // sink start -> last distinct alert (0: none arrived)
  double seconds_first_to_last = 0;          // first distinct alert -> last one
  std::optional<double> rate_from_start;     // distinct / seconds_start_to_last
  std::optional<double> rate_first_to_last;  // distinct / seconds_first_to_last

  static SinkOnlyReport of(std::uint64_t expected, WaitEnd stopped_by, const SinkProgress& progress,
                           TimePoint sink_started, double waited_s);
};

std::string to_json(const SinkOnlyReport& report);

// One human line: "sink-only: 12345 of 20000 alerts (0 duplicates) in 3.20 s from the
// sink's start: 3858 alerts/s; 4100 alerts/s first to last delivery; stopped by idle".
std::string summary_line(const SinkOnlyReport& report);

}  // namespace alertgate::bench
