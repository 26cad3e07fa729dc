#include <date/tz.h>

#include <catch2/catch.hpp>

#include "policy_test_util.hpp"

namespace alertgate {
namespace {

using policy_test::errors_of;
using policy_test::load;
using policy_test::tenant;

std::string mute(const std::string& entries) {
  return tenant("rules:\n  - destinations: [{type: log}]\n    mute_when: " + entries + "\n");
}

// 2024-01-06 was a Saturday.
TimePoint utc(int y, unsigned m, unsigned d, int h, int min) {
  const date::sys_days day = date::year(y) / date::month(m) / date::day(d);
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      (day + std::chrono::hours(h) + std::chrono::minutes(min)).time_since_epoch()));
}

}  // namespace

TEST_CASE("policy: mute_when loads weekdays, times and location") {
  const std::string text = mute(
      "\n"
      "      - weekdays: [Saturday, 'monday:wednesday']\n"
      "        times:\n"
      "          - {start_time: '00:00', end_time: '08:00'}\n"
      "          - {start_time: '22:30', end_time: '24:00'}\n"
      "        location: Europe/Berlin\n"
      "      - weekdays: ['friday:monday']\n"
      "      - {}");
  auto r = load(text);
  INFO(errors_of(text));
  REQUIRE(r.ok());
  const auto& m = r->rules[0].mute_when;
  REQUIRE(m.size() == 3);
  CHECK(int{m[0].weekdays} == 0b1001110);  // sat, mon, tue, wed
  REQUIRE(m[0].times.size() == 2);
  CHECK(m[0].times[0].start_minute == 0);
  CHECK(m[0].times[0].end_minute == 480);
  CHECK(m[0].times[1].start_minute == 22 * 60 + 30);
  CHECK(m[0].times[1].end_minute == 1440);
  CHECK(m[0].location == "Europe/Berlin");
  REQUIRE(m[0].zone != nullptr);
  CHECK(m[0].zone->name() == "Europe/Berlin");
  CHECK(int{m[1].weekdays} == 0b1100011);  // fri, sat, sun, mon (wraps over the week end)
  CHECK(m[1].times.empty());
  CHECK(m[1].location == "UTC");
  CHECK(int{m[2].weekdays} == 0x7f);
}

TEST_CASE("policy: bad mute_when entries are reported at their values") {
  CHECK(errors_of(mute("[{weekdays: [mondy, 'monday:fri']}]")) ==
        "4:29: unknown weekday \"mondy\" (use monday..sunday or a range like "
        "\"monday:friday\") (did you mean \"monday\"?)\n"
        "4:36: unknown weekday \"fri\" (use monday..sunday or a range like "
        "\"monday:friday\")\n");
  CHECK(errors_of(mute("[{weekdays: []}]")) ==
        "4:28: \"weekdays\": expected 1..100 entries (omit the key for every day)\n");
  CHECK(errors_of(mute("[{times: [{start_time: '8:00', end_time: '24:01'}]}]")) ==
        "4:39: \"start_time\": expected \"HH:MM\" (00:00..23:59), got \"8:00\"\n"
        "4:57: \"end_time\": expected \"HH:MM\" (00:00..24:00), got \"24:01\"\n");
  CHECK(errors_of(mute("[{times: [{start_time: '24:00', end_time: '24:00'}]}]")) ==
        "4:39: \"start_time\": expected \"HH:MM\" (00:00..23:59), got \"24:00\"\n");
  CHECK(errors_of(mute("[{times: [{start_time: '22:00', end_time: '06:00'}]}]")) ==
        "4:58: \"end_time\" must be after \"start_time\" (a range cannot cross midnight: split "
        "it in two)\n");
  CHECK(errors_of(mute("[{times: [{start_time: '06:00'}]}]")) ==
        "4:26: missing required key \"end_time\"\n");
  CHECK(errors_of(mute("[{location: Europe/Berln}]")) ==
        "4:28: unknown time zone \"Europe/Berln\" (an IANA name like \"Europe/Berlin\" or "
        "\"UTC\")\n");
  CHECK(errors_of(mute("[{weekday: [monday]}]")) ==
        "4:18: unknown key \"weekday\" (did you mean \"weekdays\"?)\n");
  CHECK(errors_of(mute("{weekdays: [monday]}")) ==
        "4:16: \"mute_when\": expected a list, got a map\n");
}

TEST_CASE("policy: TimeInterval::contains in UTC") {
  TimeInterval weekend;
  weekend.weekdays = 0b1000001;  // sunday, saturday
  CHECK(weekend.contains(utc(2024, 1, 6, 12, 0)));
  CHECK(weekend.contains(utc(2024, 1, 7, 23, 59)));
  CHECK_FALSE(weekend.contains(utc(2024, 1, 8, 0, 0)));
  TimeInterval night;
  night.times = {{0, 8 * 60}, {22 * 60, 24 * 60}};
  CHECK(night.contains(utc(2024, 1, 8, 0, 0)));
  CHECK(night.contains(utc(2024, 1, 8, 7, 59)));
  CHECK_FALSE(night.contains(utc(2024, 1, 8, 8, 0)));
  CHECK(night.contains(utc(2024, 1, 8, 23, 59)));
  CHECK_FALSE(night.contains(utc(2024, 1, 8, 21, 59)));
}

TEST_CASE("policy: TimeInterval::contains reads local time across DST") {
  TimeInterval berlin_morning;
  berlin_morning.times = {{8 * 60, 9 * 60}};
  berlin_morning.location = "Europe/Berlin";
  berlin_morning.zone = find_time_zone("Europe/Berlin");
  REQUIRE(berlin_morning.zone != nullptr);
  // Winter (CET, UTC+1): 08:30 local = 07:30 UTC.
  CHECK(berlin_morning.contains(utc(2024, 1, 15, 7, 30)));
  CHECK_FALSE(berlin_morning.contains(utc(2024, 1, 15, 8, 30)));
  // Summer (CEST, UTC+2): 08:30 local = 06:30 UTC.
  CHECK(berlin_morning.contains(utc(2024, 7, 15, 6, 30)));
  CHECK_FALSE(berlin_morning.contains(utc(2024, 7, 15, 7, 30)));
  // The change day, 2024-03-31: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
  TimeInterval small_hours = berlin_morning;
  small_hours.times = {{1 * 60, 3 * 60}};
  CHECK(small_hours.contains(utc(2024, 3, 31, 0, 30)));       // 01:30 CET
  CHECK_FALSE(small_hours.contains(utc(2024, 3, 31, 1, 0)));  // 03:00 CEST
  // Sunday 23:30 UTC in winter is already Monday 00:30 in Berlin.
  TimeInterval monday = berlin_morning;
  monday.times.clear();
  monday.weekdays = 0b0000010;
  CHECK(monday.contains(utc(2024, 1, 7, 23, 30)));
  CHECK_FALSE(monday.contains(utc(2024, 1, 7, 22, 30)));

  TimeInterval ny_evening;
  ny_evening.times = {{18 * 60, 24 * 60}};
  ny_evening.weekdays = 0b0100000;  // friday
  ny_evening.zone = find_time_zone("America/New_York");
  REQUIRE(ny_evening.zone != nullptr);
  // Friday 2024-11-01 19:00 EDT (UTC-4) = Saturday 2024-11-02 00:00 UTC.
  CHECK(ny_evening.contains(utc(2024, 11, 2, 0, 0)));
  // Friday 2024-11-08 19:00 EST (UTC-5) = 2024-11-09 00:00 UTC; 17:30 EST is outside.
  CHECK(ny_evening.contains(utc(2024, 11, 9, 0, 0)));
  CHECK_FALSE(ny_evening.contains(utc(2024, 11, 8, 22, 30)));
  CHECK(find_time_zone("Nowhere/Atlantis") == nullptr);
  CHECK(find_time_zone("UTC") != nullptr);
}

}  // namespace alertgate
