// Wall-clock time points and RFC 3339 text, as every wire format uses them.
// Pure functions; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace alertgate {

using Clock = std::chrono::system_clock;
// Nanosecond resolution on libstdc++; covers years 1678..2262.
using TimePoint = std::chrono::time_point<Clock, std::chrono::nanoseconds>;

inline TimePoint now() {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(Clock::now());
}

enum class TimeParse {
  ok,
  unset,         // Go's zero time "0001-01-01T00:00:00Z": "no time given"
  invalid,       // not RFC 3339
  out_of_range,  // valid RFC 3339 but outside 1678..2262
};

struct ParsedTime {
  TimeParse status = TimeParse::invalid;
  TimePoint value{};
};

// Parses RFC 3339 `YYYY-MM-DDTHH:MM:SS[.F]Z|±hh:mm` (`2026-08-20T10:00:00Z`,
// `...T10:00:00.123456789+02:00`; lowercase t/z accepted; 1 to 9 fraction digits).
// Dates and times are checked (no Feb 30, no hour 24, no leap second 60, offset hours
// <= 23); anything else, including a missing zone, is `invalid`. The instant of Go's zero
// time (0001-01-01T00:00:00Z, with any equivalent offset) is `unset`; years outside
// 1678..2262, or an instant that does not fit in int64 nanoseconds, are `out_of_range`.
// Note: TimePoint{} (1970-01-01T00:00:00Z) is the pipeline's "not given" value.
ParsedTime parse_rfc3339(std::string_view text);

// Formats as RFC 3339 in UTC like Go's time.RFC3339Nano: the fraction is omitted when zero,
// otherwise written with trailing zeros trimmed (".5", ".123", ".000000001").
// TimePoint{} formats as Go's zero time "0001-01-01T00:00:00Z".
std::string format_rfc3339(TimePoint t);
void append_rfc3339(std::string& out, TimePoint t);

}  // namespace alertgate
