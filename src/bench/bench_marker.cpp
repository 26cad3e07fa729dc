#include "alertgate/bench/bench_marker.hpp"

#include <fmt/format.h>
#include <iterator>

namespace alertgate::bench {

void append_marker(std::string& out, const Marker& m) {
  fmt::format_to(std::back_inserter(out), "{}{}.{}", kMarkerPrefix, m.seq,
                 m.intended.time_since_epoch().count());
}

namespace detail {
namespace {
std::size_t digits(std::string_view text, std::size_t pos, std::uint64_t& v) {
  std::size_t i = pos;
  v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    const std::uint64_t d = static_cast<std::uint64_t>(text[i] - '0');
    if (v > (~std::uint64_t{0} - d) / 10) return 0;
    v = v * 10 + d;
    ++i;
  }
  return i == pos ? 0 : i;
}
}  // namespace

std::size_t parse_marker_body(std::string_view text, std::size_t pos, Marker& m) {
  std::uint64_t seq = 0, ns = 0;
  std::size_t i = digits(text, pos, seq);
  if (i == 0 || i >= text.size() || text[i] != '.') return 0;
  i = digits(text, i + 1, ns);
  if (i == 0 || ns == 0 || ns > static_cast<std::uint64_t>(INT64_MAX)) return 0;
  m.seq = seq;
  m.intended = TimePoint(std::chrono::nanoseconds(static_cast<std::int64_t>(ns)));
  return i;
}
}  // namespace detail

bool parse_marker(std::string_view text, Marker& out) {
  if (text.substr(0, kMarkerPrefix.size()) != kMarkerPrefix) return false;
  return detail::parse_marker_body(text, kMarkerPrefix.size(), out) == text.size();
}

}  // namespace alertgate::bench
