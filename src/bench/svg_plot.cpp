#include "svg_plot.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

namespace alertgate::bench::svg {

namespace {

// Canvas in SVG user units; the page scales it to its width through the viewBox.
constexpr double kWidth = 860, kHeight = 360;
constexpr double kLeft = 72, kRight = 48, kTop = 40, kBottom = 52;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;

struct Scale {
  bool log = false;
  double lo = 0, hi = 1;  // in axis units (log10 of the value on a log axis)
  std::vector<Tick> ticks;

  bool drawable(double v) const { return std::isfinite(v) && (!log || v > 0); }
  double unit(double v) const { return log ? std::log10(v) : v; }
  // 0..1 along the axis, clamped so a stray point stays on the canvas.
  double fraction(double v) const { return std::clamp((unit(v) - lo) / (hi - lo), 0.0, 1.0); }
};

// 1, 2 or 5 times a power of ten, so that `span` holds about five steps.
double nice_step(double span) {
  const double raw = span / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / magnitude;
  return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * magnitude;
}

Scale make_scale(const Axis& axis, double lo, double hi) {
  Scale s;
  s.log = axis.log;
  if (!axis.ticks.empty()) {  // fixed ticks fix the range too
    s.ticks = axis.ticks;
    lo = std::min(lo, axis.ticks.front().at);
    hi = std::max(hi, axis.ticks.back().at);
    s.lo = s.unit(lo);
    s.hi = s.unit(hi);
    if (s.hi <= s.lo) s.hi = s.lo + 1;
    return s;
  }
  if (s.log) {
    s.lo = std::floor(std::log10(lo));
    s.hi = std::ceil(std::log10(hi));
    if (s.hi <= s.lo) s.hi = s.lo + 1;
    const int decades = static_cast<int>(s.hi - s.lo);
    const int every = decades > 6 ? (decades + 4) / 5 : 1;
    for (int e = static_cast<int>(s.lo); e <= static_cast<int>(s.hi); e += every) {
      const double v = std::pow(10.0, e);
      s.ticks.push_back({v, short_number(v)});
      // One decade alone gets 2 and 5 as well, or the axis has only two ticks.
      if (decades == 1 && e < static_cast<int>(s.hi)) {
        s.ticks.push_back({2 * v, short_number(2 * v)});
        s.ticks.push_back({5 * v, short_number(5 * v)});
      }
    }
    std::sort(s.ticks.begin(), s.ticks.end(),
              [](const Tick& a, const Tick& b) { return a.at < b.at; });
    return s;
  }
  if (axis.from_zero) lo = std::min(lo, 0.0);
  if (hi <= lo) hi = lo + (lo == 0 ? 1 : std::abs(lo) * 0.1);
  const double step = nice_step(hi - lo);
  s.lo = std::floor(lo / step) * step;
  s.hi = std::ceil(hi / step) * step;
  if (!std::isfinite(step) || !std::isfinite(s.lo) || !std::isfinite(s.hi) || s.hi <= s.lo) {
    // A span beyond double range (or below its resolution): two plain ticks, no stepping.
    s.lo = lo;
    s.hi = hi > lo ? hi : lo + 1;
    s.ticks = {{s.lo, short_number(s.lo)}, {s.hi, short_number(s.hi)}};
    return s;
  }
  // About five steps by construction; the cap only guards against rounding surprises.
  for (int i = 0; i <= 12; ++i) {
    const double v = s.lo + step * i;
    if (v > s.hi + step / 2) break;
    s.ticks.push_back({v, short_number(std::abs(v) < step / 2 ? 0 : v)});
  }
  return s;
}

double px_x(const Scale& s, double v) { return kLeft + s.fraction(v) * kPlotW; }
double px_y(const Scale& s, double v) { return kTop + (1 - s.fraction(v)) * kPlotH; }

void append_axes(std::string& out, const Plot& plot, const Scale& xs, const Scale& ys) {
  auto o = std::back_inserter(out);
  for (const Tick& t : ys.ticks) {
    const double y = px_y(ys, t.at);
    fmt::format_to(o,
                   "<line class=\"grid\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>",
                   kLeft, y, kLeft + kPlotW, y);
    fmt::format_to(o, "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">",
                   kLeft - 6, y + 4);
    append_escaped(out, t.label);
    out += "</text>";
  }
  for (const Tick& t : xs.ticks) {
    const double x = px_x(xs, t.at);
    fmt::format_to(o,
                   "<line class=\"grid\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>",
                   x, kTop, x, kTop + kPlotH);
    fmt::format_to(o, "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">", x,
                   kTop + kPlotH + 16);
    append_escaped(out, t.label);
    out += "</text>";
  }
  fmt::format_to(o, "<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>", kLeft,
                 kTop, kPlotW, kPlotH);
  fmt::format_to(o, "<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">",
                 kLeft + kPlotW / 2, kHeight - 10);
  append_escaped(out, plot.x.label);
  fmt::format_to(o,
                 "</text><text class=\"label\" transform=\"translate(16 {:.1f}) rotate(-90)\" "
                 "text-anchor=\"middle\">",
                 kTop + kPlotH / 2);
  append_escaped(out, plot.y.label);
  out += "</text>";
}

void append_series(std::string& out, const Series& series, const Scale& xs, const Scale& ys) {
  auto o = std::back_inserter(out);
  std::string points;
  for (const auto& [x, y] : series.points) {
    if (!xs.drawable(x) || !ys.drawable(y)) continue;
    fmt::format_to(std::back_inserter(points), "{}{:.1f},{:.1f}", points.empty() ? "" : " ",
                   px_x(xs, x), px_y(ys, y));
    if (series.markers) {
      fmt::format_to(o, "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"/>", px_x(xs, x),
                     px_y(ys, y), series.color);
    }
  }
  if (points.empty()) return;
  fmt::format_to(o, "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{} points=\"{}\"/>",
                 series.color, series.dashed ? " stroke-dasharray=\"6 4\"" : "", points);
}

void append_references(std::string& out, const Plot& plot, const Scale& xs, const Scale& ys) {
  auto o = std::back_inserter(out);
  if (plot.hline && ys.drawable(plot.hline->at)) {
    const double y = px_y(ys, plot.hline->at);
    fmt::format_to(o,
                   "<line class=\"ref\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>",
                   kLeft, y, kLeft + kPlotW, y);
    fmt::format_to(o, "<text class=\"reftext\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">",
                   kLeft + kPlotW - 4, y - 4);
    append_escaped(out, plot.hline->label);
    out += "</text>";
  }
  if (plot.vline && xs.drawable(plot.vline->at)) {
    const double x = px_x(xs, plot.vline->at);
    fmt::format_to(o,
                   "<line class=\"ref\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>",
                   x, kTop, x, kTop + kPlotH);
    fmt::format_to(o, "<text class=\"reftext\" x=\"{:.1f}\" y=\"{:.1f}\">", x + 4, kTop + 14);
    append_escaped(out, plot.vline->label);
    out += "</text>";
  }
}

void append_legend(std::string& out, const Plot& plot) {
  auto o = std::back_inserter(out);
  double x = kLeft;
  for (const Series& s : plot.series) {
    fmt::format_to(o,
                   "<line x1=\"{:.1f}\" y1=\"18\" x2=\"{:.1f}\" y2=\"18\" stroke=\"{}\" "
                   "stroke-width=\"2\"{}/><text class=\"legend\" x=\"{:.1f}\" y=\"22\">",
                   x, x + 24, s.color, s.dashed ? " stroke-dasharray=\"6 4\"" : "", x + 30);
    append_escaped(out, s.name);
    out += "</text>";
    x += 30 + 7.5 * static_cast<double>(s.name.size()) + 24;  // about 7.5 units per glyph
  }
}

}  // namespace

void append_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

std::string short_number(double v) {
  const double a = std::abs(v);
  if (a >= 1e6) return fmt::format("{:g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:g}k", v / 1e3);
  return fmt::format("{:g}", v);
}

bool append_plot(std::string& out, const Plot& plot) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double x_lo = kInf, x_hi = -kInf, y_lo = kInf, y_hi = -kInf;
  Scale x_probe, y_probe;  // only for drawable()
  x_probe.log = plot.x.log;
  y_probe.log = plot.y.log;
  for (const Series& s : plot.series) {
    for (const auto& [x, y] : s.points) {
      if (!x_probe.drawable(x) || !y_probe.drawable(y)) continue;
      x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x);
      y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
    }
  }
  if (x_lo > x_hi) return false;
  // A reference line widens the range so that it is always on the canvas.
  if (plot.hline && y_probe.drawable(plot.hline->at)) {
    y_lo = std::min(y_lo, plot.hline->at), y_hi = std::max(y_hi, plot.hline->at);
  }
  if (plot.vline && x_probe.drawable(plot.vline->at)) {
    x_lo = std::min(x_lo, plot.vline->at), x_hi = std::max(x_hi, plot.vline->at);
  }
  const Scale xs = make_scale(plot.x, x_lo, x_hi);
  const Scale ys = make_scale(plot.y, y_lo, y_hi);

  fmt::format_to(std::back_inserter(out),
                 "<svg class=\"plot\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"", kWidth,
                 kHeight);
  append_escaped(out, plot.title);
  out += "\">";
  append_axes(out, plot, xs, ys);
  for (const Series& s : plot.series) append_series(out, s, xs, ys);
  append_references(out, plot, xs, ys);
  append_legend(out, plot);
  out += "</svg>";
  return true;
}

}  // namespace alertgate::bench::svg
