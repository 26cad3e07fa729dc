#include "alertgate/bench/sink_only_report.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>

namespace alertgate::bench {

namespace {

double seconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

std::optional<double> rate(std::uint64_t alerts, double seconds) {
  if (!(seconds > 0) || !std::isfinite(seconds)) return std::nullopt;
  return static_cast<double>(alerts) / seconds;
}

void append_seconds(std::string& out, double s) {
  if (std::isfinite(s)) {
    fmt::format_to(std::back_inserter(out), "{:.6f}", s);
  } else {
    out += "null";
  }
}

void append_rate(std::string& out, const std::optional<double>& r) {
  if (r && std::isfinite(*r)) {
    fmt::format_to(std::back_inserter(out), "{:.1f}", *r);
  } else {
    out += "null";
  }
}

std::string human_rate(const std::optional<double>& r) {
  return r ? fmt::format("{:.0f} alerts/s", *r) : std::string("n/a");
}

}  // namespace

SinkOnlyReport SinkOnlyReport::of(std::uint64_t expected, WaitEnd stopped_by,
                                  const SinkProgress& progress, TimePoint sink_started,
                                  double waited_s) {
  SinkOnlyReport r;
  r.expected = expected;
  r.stopped_by = stopped_by;
  r.counts = progress.counts;
  r.waited_s = waited_s;
  if (progress.counts.distinct > 0) {
    // Clamped at 0: arrival and start are system_clock readings, which a clock step can
    // put out of order.
    r.seconds_start_to_last = std::max(0.0, seconds_between(sink_started, progress.last_delivery));
    r.seconds_first_to_last =
        std::max(0.0, seconds_between(progress.first_delivery, progress.last_delivery));
  }
  r.rate_from_start = rate(r.counts.distinct, r.seconds_start_to_last);
  r.rate_first_to_last = rate(r.counts.distinct, r.seconds_first_to_last);
  return r;
}

std::string to_json(const SinkOnlyReport& r) {
  std::string out = R"({"mode":"sink-only","expected":)";
  fmt::format_to(std::back_inserter(out),
                 R"({},"stopped_by":"{}","distinct":{},"duplicates":{},"requests":{},)"
                 R"("unreadable":{},"waited_s":)",
                 r.expected, to_string(r.stopped_by), r.counts.distinct, r.counts.duplicates,
                 r.counts.requests, r.counts.unreadable);
  append_seconds(out, r.waited_s);
  out += R"(,"seconds_start_to_last":)";
  append_seconds(out, r.seconds_start_to_last);
  out += R"(,"seconds_first_to_last":)";
  append_seconds(out, r.seconds_first_to_last);
  out += R"(,"alerts_per_second_from_start":)";
  append_rate(out, r.rate_from_start);
  out += R"(,"alerts_per_second_first_to_last":)";
  append_rate(out, r.rate_first_to_last);
  out += '}';
  return out;
}

std::string summary_line(const SinkOnlyReport& r) {
  return fmt::format(
      "sink-only: {} of {} alerts ({} duplicates) in {:.2f} s from the sink's start: {}; {} "
      "first to last delivery; stopped by {}",
      r.counts.distinct, r.expected, r.counts.duplicates, r.seconds_start_to_last,
      human_rate(r.rate_from_start), human_rate(r.rate_first_to_last), to_string(r.stopped_by));
}

}  // namespace alertgate::bench
