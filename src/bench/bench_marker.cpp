#include "alertgate/bench/bench_marker.hpp"

#include <charconv>
#include <limits>

namespace alertgate::bench {

namespace {

// Reads a non-empty run of decimal digits at text[pos] into `value`; returns the index
// after it, or 0 when there is no digit or the number does not fit in `max`. Hand-rolled
// rather than from_chars so that a sign or whitespace can never be accepted.
std::size_t parse_digits(std::string_view text, std::size_t pos, std::uint64_t max,
                         std::uint64_t& value) {
  const std::size_t start = pos;
  std::uint64_t v = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    const auto digit = static_cast<std::uint64_t>(text[pos] - '0');
    if (v > (max - digit) / 10) return 0;
    v = v * 10 + digit;
    ++pos;
  }
  if (pos == start) return 0;
  value = v;
  return pos;
}

}  // namespace

void append_marker(std::string& out, const Marker& m) {
  char buf[24];  // 20 digits at most
  out.append(kMarkerPrefix);
  auto end = std::to_chars(buf, buf + sizeof buf, m.seq).ptr;
  out.append(buf, static_cast<std::size_t>(end - buf));
  out.push_back('.');
  end = std::to_chars(buf, buf + sizeof buf, m.intended.time_since_epoch().count()).ptr;
  out.append(buf, static_cast<std::size_t>(end - buf));
}

namespace detail {

std::size_t parse_marker_body(std::string_view text, std::size_t pos, Marker& m) {
  std::uint64_t seq = 0;
  std::size_t at = parse_digits(text, pos, std::numeric_limits<std::uint64_t>::max(), seq);
  if (at == 0 || at >= text.size() || text[at] != '.') return 0;
  // The intended time must fit a TimePoint (signed 64-bit ns) and be after the epoch:
  // TimePoint{} is the pipeline's "not given".
  std::uint64_t ns = 0;
  constexpr auto kMaxNs = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  at = parse_digits(text, at + 1, kMaxNs, ns);
  if (at == 0 || ns == 0) return 0;
  m.seq = seq;
  m.intended = TimePoint(std::chrono::nanoseconds(static_cast<std::int64_t>(ns)));
  return at;
}

}  // namespace detail

bool parse_marker(std::string_view text, Marker& out) {
  if (text.substr(0, kMarkerPrefix.size()) != kMarkerPrefix) return false;
  Marker m;
  if (detail::parse_marker_body(text, kMarkerPrefix.size(), m) != text.size()) return false;
  out = m;
  return true;
}

}  // namespace alertgate::bench
