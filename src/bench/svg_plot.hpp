// A tiny inline-SVG line plot for the bench HTML report (internal to src/bench): one
// polyline per series, axes with 4-6 ticks (linear "nice" steps or powers of ten), a
// legend, optional horizontal and vertical reference lines. No script, no external
// resource. Pure functions, any thread; throw only std::bad_alloc.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace alertgate::bench::svg {

// Appends `text` with & < > " ' replaced by entities: safe in element content and in
// quoted attribute values.
void append_escaped(std::string& out, std::string_view text);

struct Series {
  std::string name;   // legend text (escaped when written)
  std::string color;  // a CSS colour literal such as "#1f77b4" (written as is: not user text)
  std::vector<std::pair<double, double>> points;  // (x, y) in data units, in x order
  bool dashed = false;
  bool markers = false;  // a dot at every point (few points, e.g. ramp steps)
};

struct Tick {
  double at = 0;  // data units
  std::string label;
};

struct Axis {
  std::string label;
  bool log = false;         // log10 scale; points with a value <= 0 are left out
  bool from_zero = false;   // linear only: the range starts at 0 (rates, latencies)
  std::vector<Tick> ticks;  // fixed ticks (and range); empty: chosen from the data
};

struct Reference {
  double at = 0;  // data units
  std::string label;
};

struct Plot {
  std::string title;  // accessible name of the <svg>
  Axis x, y;
  std::vector<Series> series;
  std::optional<Reference> hline;  // e.g. the SLO p99, in y units
  std::optional<Reference> vline;  // e.g. the sustainable rate, in x units
};

// Appends one <svg> element for `plot`. Returns false and appends nothing when no series
// has a point that can be drawn (finite, and > 0 on a log axis): the caller says "not
// measured" instead.
bool append_plot(std::string& out, const Plot& plot);

// Tick label for a value: 0.5, 12, 2.5k, 100k, 1.5M.
std::string short_number(double v);

}  // namespace alertgate::bench::svg
