#include "alertgate/time.hpp"

#include <cstdint>

namespace alertgate {

namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;

// Howard Hinnant's days_from_civil / civil_from_days: proleptic Gregorian calendar, day 0
// is 1970-01-01. Exact for every year we can meet (the caller bounds the year).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

constexpr bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned days_in_month(std::int64_t y, unsigned m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

constexpr std::int64_t kGoZeroSeconds = days_from_civil(1, 1, 1) * kSecondsPerDay;
static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(civil_from_days(days_from_civil(2262, 4, 11)).day == 11);

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses exactly `n` decimal digits at s[pos..]; -1 if any is not a digit.
inline int digits(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!is_digit(c)) return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

inline char* put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

}  // namespace

ParsedTime parse_rfc3339(std::string_view s) {
  ParsedTime r;  // status invalid
  // Shortest form: "YYYY-MM-DDTHH:MM:SSZ".
  if (s.size() < 20) return r;
  const int year = digits(s, 0, 4);
  const int month = digits(s, 5, 2);
  const int day = digits(s, 8, 2);
  const int hour = digits(s, 11, 2);
  const int minute = digits(s, 14, 2);
  const int second = digits(s, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return r;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return r;
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month)) || hour > 23 ||
      minute > 59 || second > 59)
    return r;

  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (s[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    while (pos < s.size() && is_digit(s[pos])) {
      if (++n > 9) return r;
      nanos = nanos * 10 + (s[pos] - '0');
      ++pos;
    }
    if (n == 0) return r;
    for (; n < 9; ++n) nanos *= 10;
  }
  if (pos >= s.size()) return r;  // no zone

  std::int64_t offset_seconds = 0;
  const char z = s[pos];
  if (z == 'Z' || z == 'z') {
    if (pos + 1 != s.size()) return r;
  } else if (z == '+' || z == '-') {
    if (pos + 6 != s.size() || s[pos + 3] != ':') return r;
    const int oh = digits(s, pos + 1, 2);
    const int om = digits(s, pos + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return r;
    offset_seconds = (z == '+' ? 1 : -1) * (std::int64_t{oh} * 3600 + std::int64_t{om} * 60);
  } else {
    return r;
  }

  const std::int64_t seconds =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
          kSecondsPerDay +
      std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second - offset_seconds;
  if (seconds == kGoZeroSeconds && nanos == 0) {
    r.status = TimeParse::unset;
    return r;
  }
  std::int64_t ns = 0;
  if (year < 1678 || year > 2262 || __builtin_mul_overflow(seconds, kNanosPerSecond, &ns) ||
      __builtin_add_overflow(ns, nanos, &ns)) {
    r.status = TimeParse::out_of_range;
    return r;
  }
  r.status = TimeParse::ok;
  r.value = TimePoint(std::chrono::nanoseconds(ns));
  return r;
}

void append_rfc3339(std::string& out, TimePoint t) {
  if (t == TimePoint{}) {
    out.append("0001-01-01T00:00:00Z");
    return;
  }
  const std::int64_t ns = t.time_since_epoch().count();
  const std::int64_t seconds = floor_div(ns, kNanosPerSecond);
  std::int64_t frac = ns % kNanosPerSecond;  // not ns - seconds * 1e9: that overflows near min
  if (frac < 0) frac += kNanosPerSecond;
  const std::int64_t days = floor_div(seconds, kSecondsPerDay);
  const auto sod = static_cast<unsigned>(seconds - days * kSecondsPerDay);
  const Civil c = civil_from_days(days);  // year is 1677..2262 for any int64 nanoseconds

  char buf[32];
  char* p = buf;
  const auto y = static_cast<unsigned>(c.year);
  p = put2(p, y / 100);
  p = put2(p, y % 100);
  *p++ = '-';
  p = put2(p, c.month);
  *p++ = '-';
  p = put2(p, c.day);
  *p++ = 'T';
  p = put2(p, sod / 3600);
  *p++ = ':';
  p = put2(p, sod / 60 % 60);
  *p++ = ':';
  p = put2(p, sod % 60);
  if (frac != 0) {
    *p++ = '.';
    char digits9[9];
    auto f = static_cast<std::uint32_t>(frac);
    for (int i = 8; i >= 0; --i) {
      digits9[i] = static_cast<char>('0' + f % 10);
      f /= 10;
    }
    int len = 9;
    while (digits9[len - 1] == '0') --len;  // frac != 0, so this stops
    for (int i = 0; i < len; ++i) *p++ = digits9[i];
  }
  *p++ = 'Z';
  out.append(buf, static_cast<std::size_t>(p - buf));
}

std::string format_rfc3339(TimePoint t) {
  std::string out;
  out.reserve(30);
  append_rfc3339(out, t);
  return out;
}

}  // namespace alertgate
