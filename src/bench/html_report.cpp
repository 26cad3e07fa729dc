#include "alertgate/bench/html_report.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "svg_plot.hpp"

namespace alertgate::bench {

namespace {

using svg::append_escaped;

// Inline, so the page renders the same from a mail attachment or an air-gapped host.
constexpr std::string_view kStyle = R"(<style>
body{font:15px/1.45 system-ui,sans-serif;color:#222;max-width:1100px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.target{font-family:monospace;font-size:15px;color:#555;word-break:break-all}
.plan{font-size:20px;font-weight:600;padding:12px 16px;border-radius:6px;background:#e8f4ea;
border-left:6px solid #2e7d32}.plan.unknown{background:#fdecea;border-left-color:#c62828}
.plan.none{background:#f3f3f3;border-left-color:#999;font-weight:400;font-size:16px}
table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 12px;border-bottom:1px solid #eee;
text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f6f6f6}
.note{color:#777;font-style:italic}.bad{color:#c62828;font-weight:600}.good{color:#2e7d32}
svg.plot{width:100%;height:auto;font-size:13px}.grid{stroke:#e4e4e4}
.frame{fill:none;stroke:#888}.tick{fill:#555}.label{fill:#222}.legend{fill:#222}
.ref{stroke:#c62828;stroke-width:1.5;stroke-dasharray:3 3}.reftext{fill:#c62828}
</style>)";

constexpr const char* kAckColor = "#1f77b4";
constexpr const char* kE2eColor = "#d62728";
constexpr const char* kKafkaColor = "#9467bd";

double ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string fmt_ms(std::int64_t ns) {
  const double v = ms(ns);
  return v < 10 ? fmt::format("{:.3f}", v) : fmt::format("{:.1f}", v);
}

std::string fmt_rate(double rate) {
  if (!std::isfinite(rate)) return "-";  // a driver bug should not print "nan" to a planner
  return std::abs(rate) >= 100 ? fmt::format("{:.0f}", rate) : fmt::format("{:.1f}", rate);
}

std::string fmt_share(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "";
  return fmt::format(" ({:.3g}%)", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

void row(std::string& out, std::string_view name, std::string_view value) {
  out += "<tr><td>";
  append_escaped(out, name);
  out += "</td><td>";
  append_escaped(out, value);
  out += "</td></tr>";
}

void note(std::string& out, std::string_view text) {
  out += "<p class=\"note\">";
  append_escaped(out, text);
  out += "</p>";
}

void append_recommendation(std::string& out, const BenchReport& r) {
  if (r.plan) {
    out += r.plan->instances > 0 ? "<p class=\"plan\">" : "<p class=\"plan unknown\">";
    append_escaped(out, r.plan->text);
  } else {
    out += "<p class=\"plan none\">";
    append_escaped(out, r.slo ? "No capacity plan: no rate to plan for was given (--plan-rate)."
                              : "No capacity plan: no SLO was given. Run with --slo-p99 (and "
                                "--plan-rate, or --ramp to find the highest sustainable rate) "
                                "to get \"N instances for R alerts/s at p99 <= X\".");
  }
  out += "</p>";
}

void append_summary(std::string& out, const BenchReport& r) {
  out += "<h2>Summary</h2><table>";
  row(out, "load",
      fmt::format("{}, {} alert(s)/request, {} connections, {} tenants",
                  r.format.empty() ? "?" : r.format, r.batch, r.connections, r.tenants));
  row(out, "duration",
      std::isfinite(r.duration_s) ? fmt::format("{:.1f} s", r.duration_s) : std::string("-"));
  row(out, "offered rate", fmt_rate(r.offered_rate) + " alerts/s");
  row(out, "achieved rate (2xx)",
      fmt_rate(r.achieved_rate) + " alerts/s" +
          (r.offered_rate > 0 && std::isfinite(r.achieved_rate / r.offered_rate)
               ? fmt::format(" ({:.1f}% of offered)", 100 * r.achieved_rate / r.offered_rate)
               : ""));
  row(out, "requests sent", fmt::format("{}", r.requests_sent));
  row(out, "alerts sent / acked / delivered",
      fmt::format("{} / {} / {}", r.alerts_sent, r.alerts_acked, r.alerts_delivered));
  std::string statuses;
  for (const auto& [status, n] : r.status_counts) {
    if (!statuses.empty()) statuses += ", ";
    statuses += status == 0 ? fmt::format("no answer: {}", n) : fmt::format("{}: {}", status, n);
  }
  row(out, "answers", statuses.empty() ? "none" : statuses);
  row(out, "late sends (> 1 ms after intended)",
      fmt::format("{}{}", r.late_sends, fmt_share(r.late_sends, r.requests_sent)));
  if (r.end_to_end_latency || r.alerts_delivered > 0) {
    row(out, "delivered duplicates / unreadable markers",
        fmt::format("{} / {}", r.delivered_duplicates, r.sink_unreadable));
  }
  if (r.kafka_latency || r.kafka_messages > 0) {
    row(out, "Kafka messages", fmt::format("{}", r.kafka_messages));
  }
  if (r.target_usage) {
    row(out, "target CPU (of one core)", fmt::format("{:.1f}%", r.target_usage->cpu_percent));
    row(out, "target RSS max",
        fmt::format("{:.1f} MiB", static_cast<double>(r.target_usage->rss_max_bytes) / 1048576));
  }
  if (r.slo) {
    row(out, "SLO",
        fmt::format("p99 <= {} ms, errors <= {:.3g}%, achieved >= {:.3g}% of offered",
                    fmt_ms(r.slo->p99_ns), 100 * r.slo->max_error_share,
                    100 * r.slo->min_achieved_share));
  }
  if (r.sustainable_rate) {
    row(out, "sustainable rate (ramp)", fmt_rate(*r.sustainable_rate) + " alerts/s");
  }
  out += "</table>";

  out +=
      "<table><tr><th>latency (ms)</th><th>count</th><th>p50</th><th>p90</th><th>p95</th>"
      "<th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr>";
  auto latency_row = [&](std::string_view name, const std::optional<LatencySummary>& s,
                         std::string_view absent) {
    out += "<tr><td>";
    append_escaped(out, name);
    out += "</td>";
    if (!s) {
      out += "<td colspan=\"8\" class=\"note\">";
      append_escaped(out, absent);
      out += "</td></tr>";
      return;
    }
    fmt::format_to(std::back_inserter(out),
                   "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                   "<td>{:.3f}</td></tr>",
                   s->count, fmt_ms(s->p50), fmt_ms(s->p90), fmt_ms(s->p95), fmt_ms(s->p99),
                   fmt_ms(s->p999), fmt_ms(s->max), s->mean / 1e6);
  };
  latency_row("ack (intended send to HTTP answer)", r.ack_latency, "");
  latency_row("end-to-end (intended send to sink)", r.end_to_end_latency,
              "not measured (no embedded sink)");
  if (r.kafka_latency) latency_row("ingest to Kafka (ms resolution)", r.kafka_latency, "");
  out += "</table>";
}

std::optional<svg::Reference> slo_line(const BenchReport& r) {
  if (!r.slo) return std::nullopt;
  return svg::Reference{ms(r.slo->p99_ns), "SLO p99 " + fmt_ms(r.slo->p99_ns) + " ms"};
}

svg::Series line(std::string name, const char* color, bool dashed = false, bool markers = false) {
  svg::Series s;
  s.name = std::move(name);
  s.color = color;
  s.dashed = dashed;
  s.markers = markers;
  return s;
}

svg::Plot make_plot(std::string title, std::string x_label, std::string y_label) {
  svg::Plot plot;
  plot.title = std::move(title);
  plot.x.label = std::move(x_label);
  plot.y.label = std::move(y_label);
  return plot;
}

// Log scale once the values span more than a factor 30: tails would flatten everything else.
bool wants_log(const std::vector<svg::Series>& series) {
  double lo = INFINITY, hi = 0;
  for (const auto& s : series) {
    for (const auto& [x, y] : s.points) {
      if (y > 0) lo = std::min(lo, y), hi = std::max(hi, y);
    }
  }
  return hi > 0 && hi / lo > 30;
}

void append_latency_over_time(std::string& out, const BenchReport& r) {
  out += "<h2>Latency over time</h2>";
  svg::Plot plot = make_plot("latency over time", "time (s)", "latency (ms)");
  svg::Series ack50 = line("ack p50", kAckColor), ack99 = line("ack p99", kAckColor, true);
  svg::Series e2e50 = line("end-to-end p50", kE2eColor);
  svg::Series e2e99 = line("end-to-end p99", kE2eColor, true);
  bool any_e2e = false;
  for (const IntervalSample& s : r.timeline) {
    // 0 means nothing was recorded in the interval: a gap, not a zero latency.
    auto add = [&](svg::Series& series, std::int64_t ns) {
      if (ns > 0) series.points.emplace_back(s.t_s, ms(ns));
    };
    add(ack50, s.ack_p50);
    add(ack99, s.ack_p99);
    add(e2e50, s.e2e_p50);
    add(e2e99, s.e2e_p99);
    any_e2e = any_e2e || s.e2e_p99 > 0;
  }
  plot.series = {std::move(ack50), std::move(ack99)};
  if (any_e2e) {
    plot.series.push_back(std::move(e2e50));
    plot.series.push_back(std::move(e2e99));
  }
  plot.y.log = wants_log(plot.series);
  plot.y.from_zero = true;
  plot.hline = slo_line(r);
  if (!svg::append_plot(out, plot)) note(out, "Not measured: the run recorded no intervals.");
}

void append_rate_over_time(std::string& out, const BenchReport& r) {
  out += "<h2>Rate over time</h2>";
  svg::Plot plot = make_plot("rate over time", "time (s)", "alerts/s");
  plot.y.from_zero = true;
  svg::Series offered = line("offered", "#7f7f7f", true);
  svg::Series acked = line("acknowledged (2xx)", kAckColor);
  svg::Series delivered = line("delivered to the sink", "#2ca02c");
  bool any_delivered = false;
  for (const IntervalSample& s : r.timeline) {
    offered.points.emplace_back(s.t_s, s.offered_rate);
    acked.points.emplace_back(s.t_s, s.acked_rate);
    delivered.points.emplace_back(s.t_s, s.delivered_rate);
    any_delivered = any_delivered || s.delivered_rate > 0;
  }
  plot.series = {std::move(offered), std::move(acked)};
  if (any_delivered) plot.series.push_back(std::move(delivered));
  if (!svg::append_plot(out, plot)) note(out, "Not measured: the run recorded no intervals.");
}

// HdrHistogram's plot: x = log10(1 / (1 - p)), so 90%, 99%, 99.9% are evenly spaced.
void append_percentiles(std::string& out, const BenchReport& r) {
  out += "<h2>Percentile distribution</h2>";
  svg::Plot plot = make_plot("latency by percentile", "percentile", "latency (ms)");
  double x_max = 2;  // at least up to 99%
  auto curve = [&](const char* name, const char* color, const std::vector<PercentilePoint>& c) {
    svg::Series s = line(name, color);
    for (const PercentilePoint& p : c) {
      if (p.percentile >= 100) continue;  // x is infinite; the curve already ends at max
      const double x = std::log10(1 / (1 - p.percentile / 100));
      s.points.emplace_back(x, ms(p.value));
      x_max = std::max(x_max, std::ceil(x - 1e-9));
    }
    if (!s.points.empty()) plot.series.push_back(std::move(s));
  };
  curve("ack", kAckColor, r.ack_curve);
  curve("end-to-end", kE2eColor, r.e2e_curve);
  static constexpr const char* kLabels[] = {"0%",     "90%",     "99%",      "99.9%",
                                            "99.99%", "99.999%", "99.9999%", "99.99999%"};
  for (int i = 0; i <= std::min(static_cast<int>(x_max), 7); ++i) {
    plot.x.ticks.push_back({static_cast<double>(i), kLabels[i]});
  }
  plot.y.log = wants_log(plot.series);
  plot.y.from_zero = true;
  plot.hline = slo_line(r);
  if (!svg::append_plot(out, plot)) note(out, "Not measured: no latency was recorded.");
  if (r.e2e_curve.empty() && !r.ack_curve.empty()) note(out, "End-to-end: not measured.");
}

void append_ramp(std::string& out, const BenchReport& r) {
  if (r.ramp.empty()) return;
  out +=
      "<h2>Ramp</h2><table><tr><th>step</th><th>offered (alerts/s)</th><th>achieved</th>"
      "<th>requests</th><th>errors</th><th>ack p99 (ms)</th><th>end-to-end p99 (ms)</th>"
      "<th>within SLO</th></tr>";
  svg::Series ack = line("ack p99", kAckColor, false, true);
  svg::Series e2e = line("end-to-end p99", kE2eColor, false, true);
  for (std::size_t i = 0; i < r.ramp.size(); ++i) {
    const RampStepResult& s = r.ramp[i];
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td>"
                   "<td>{}</td><td class=\"{}\">{}</td></tr>",
                   i + 1, fmt_rate(s.offered_rate), fmt_rate(s.achieved_rate), s.requests, s.errors,
                   fmt_share(s.errors, s.requests), fmt_ms(s.ack_latency.p99),
                   s.end_to_end_latency ? fmt_ms(s.end_to_end_latency->p99) : "-",
                   s.within_slo ? "good" : "bad", s.within_slo ? "yes" : "no");
    ack.points.emplace_back(s.offered_rate, ms(s.ack_latency.p99));
    if (s.end_to_end_latency)
      e2e.points.emplace_back(s.offered_rate, ms(s.end_to_end_latency->p99));
  }
  out += "</table>";
  svg::Plot plot = make_plot("p99 by offered rate", "offered rate (alerts/s)", "p99 latency (ms)");
  plot.y.from_zero = true;
  plot.x.from_zero = true;
  plot.series.push_back(std::move(ack));
  if (!e2e.points.empty()) plot.series.push_back(std::move(e2e));
  plot.y.log = wants_log(plot.series);
  plot.hline = slo_line(r);
  if (r.sustainable_rate) {
    plot.vline = svg::Reference{*r.sustainable_rate,
                                "sustainable " + fmt_rate(*r.sustainable_rate) + " alerts/s"};
  }
  if (!svg::append_plot(out, plot)) note(out, "Not measured: no ramp step recorded latency.");
}

}  // namespace

std::string render_html(const BenchReport& report) {
  std::string out;
  out.reserve(std::size_t{64} * 1024);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>alertgate bench: ";
  append_escaped(out, report.target);
  out += "</title>\n";
  out += kStyle;
  out += "\n</head><body>\n<h1>alertgate bench</h1><div class=\"target\">";
  append_escaped(out, report.target);
  out += "</div>\n";
  append_recommendation(out, report);
  out += '\n';
  append_summary(out, report);
  out += '\n';
  append_latency_over_time(out, report);
  out += '\n';
  append_rate_over_time(out, report);
  out += '\n';
  append_percentiles(out, report);
  out += '\n';
  append_ramp(out, report);
  out += "\n</body></html>\n";
  return out;
}

}  // namespace alertgate::bench
