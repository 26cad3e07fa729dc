// The marker every bench alert carries so the embedded sink (and the Kafka probe) can
// measure end-to-end latency: an annotation `alertgate_bench` whose value is
//   agb1.<seq>.<intended_ns>
// seq = the alert's index in the run (request index * batch + position in the batch),
// intended_ns = the request's intended send time, ns since the Unix epoch (system_clock,
// the same clock the sink reads on arrival, in the same process).
//
// The prefix makes the marker findable in any body a destination renders (Alertmanager
// webhook v4 annotations, a Slack text that quotes annotations, PagerDuty custom_details)
// by a byte scan, without knowing the body's shape. Pure functions, any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "alertgate/time.hpp"

namespace alertgate::bench {

inline constexpr std::string_view kMarkerAnnotation = "alertgate_bench";
inline constexpr std::string_view kMarkerPrefix = "agb1.";

struct Marker {
  std::uint64_t seq = 0;
  TimePoint intended{};
};

// Appends "agb1.<seq>.<ns>" to out.
void append_marker(std::string& out, const Marker& m);

// Calls on_marker(Marker) for every well-formed marker in `text`, in order of appearance
// (both numbers must be non-empty digit runs that fit in 64 bits; the ns must be > 0);
// returns how many prefixes were found that were NOT followed by a well-formed marker.
template <typename F>
std::size_t scan_markers(std::string_view text, F&& on_marker);

// Parses exactly one marker (the whole of `text`); false if it is not one.
bool parse_marker(std::string_view text, Marker& out);

// --- implementation of the template ---
namespace detail {
// Parses a marker starting at text[pos] (just after the prefix); on success sets m and
// returns the index after it, else returns 0.
std::size_t parse_marker_body(std::string_view text, std::size_t pos, Marker& m);
}  // namespace detail

template <typename F>
std::size_t scan_markers(std::string_view text, F&& on_marker) {
  std::size_t bad = 0;
  std::size_t pos = 0;
  while ((pos = text.find(kMarkerPrefix, pos)) != std::string_view::npos) {
    pos += kMarkerPrefix.size();
    Marker m;
    const std::size_t end = detail::parse_marker_body(text, pos, m);
    if (end == 0) {
      ++bad;
      continue;
    }
    on_marker(m);
    pos = end;
  }
  return bad;
}

}  // namespace alertgate::bench
