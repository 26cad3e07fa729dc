// TimeInterval: a recurring window of wall-clock time in an IANA time zone, used by a rule's
// `mute_when` (Alertmanager's `time_intervals` subset: weekdays, times of day, location).
//
//   mute_when:
//     - weekdays: ["saturday", "sunday"]     # or ranges "monday:friday"; omitted = every day
//       times:                               # omitted = the whole day
//         - {start_time: "00:00", end_time: "08:00"}   # [start, end), 24:00 allowed as end
//       location: "Europe/Berlin"            # IANA zone; default "UTC"
//
// Immutable once built (the zone is resolved when the policy is loaded, so an unknown zone
// is a load error, not a data-path surprise); `contains` may run on any thread and never
// throws or allocates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "alertgate/time.hpp"

namespace date {
class time_zone;  // Howard Hinnant's date/tz.h (Debian libhowardhinnant-date-dev)
}

namespace alertgate {

struct TimeInterval {
  // Bit d set: weekday d is in the window (0 = Sunday ... 6 = Saturday). 0x7f = every day.
  std::uint8_t weekdays = 0x7f;
  struct Range {
    int start_minute = 0;      // minute of day, 0..1439
    int end_minute = 24 * 60;  // exclusive, start < end <= 1440
  };
  std::vector<Range> times;  // empty = the whole day
  std::string location = "UTC";
  const date::time_zone* zone = nullptr;  // resolved `location`; nullptr = UTC

  // True when `t`, read as local time in `zone`, falls on one of `weekdays` and inside one
  // of `times`.
  bool contains(TimePoint t) const;
};

// Looks up an IANA zone name ("Europe/Berlin", "UTC"); nullptr when unknown. Control thread
// (it may read the tz database on first use).
const date::time_zone* find_time_zone(const std::string& name);

}  // namespace alertgate
