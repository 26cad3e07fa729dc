// The `--report FILE.html` page of `alertgate bench`: one self-contained HTML document
// (inline CSS and SVG, no script, no network) that a capacity planner reads at a glance:
// the recommendation sentence, the summary table, latency over time (ack and end-to-end
// p50/p99 per interval, offered vs achieved rate), the percentile curves on a
// log-of-1/(1-p) axis as HdrHistogram plots them, and the ramp steps when a ramp ran.
// Pure function, any thread; throws only std::bad_alloc.
#pragma once

#include <string>

#include "alertgate/bench/bench_report.hpp"

namespace alertgate::bench {

std::string render_html(const BenchReport& report);

}  // namespace alertgate::bench
