#include "alertgate/time_interval.hpp"

#include <date/tz.h>

namespace alertgate {

bool TimeInterval::contains(TimePoint t) const {
  const auto sys = date::floor<std::chrono::seconds>(t);
  date::local_seconds local;
  if (zone == nullptr) {
    local = date::local_seconds(sys.time_since_epoch());
  } else {
    local = zone->to_local(sys);
  }
  const auto day = date::floor<date::days>(local);
  const unsigned weekday = date::weekday(day).c_encoding();  // 0 = Sunday
  if ((weekdays & (1u << weekday)) == 0) return false;
  if (times.empty()) return true;
  const int minute =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
  for (const Range& r : times) {
    if (minute >= r.start_minute && minute < r.end_minute) return true;
  }
  return false;
}

const date::time_zone* find_time_zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace alertgate
