#include "alertgate/bench/html_report.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <regex>
#include <string>
#include <string_view>

namespace alertgate::bench {
namespace {

constexpr std::int64_t kMs = 1'000'000;

LatencySummary with_p99(std::int64_t p99) {
  LatencySummary s;
  s.count = 100'000;
  s.p99 = p99;
  return s;
}

std::size_t occurrences(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// fmt writes a non-finite double as nan or inf: a division by zero reached the page.
bool has_non_finite(const std::string& html) {
  static const std::regex kWord(R"(\b-?(nan|inf)\b)");
  return std::regex_search(html, kWord);
}

// A latency histogram shaped like a real run: most answers near `base`, a long tail.
LatencyHistogram shaped(std::int64_t base) {
  LatencyHistogram h;
  for (int i = 0; i < 100'000; ++i) {
    const double u = (i + 0.5) / 100'000;
    h.record(base + static_cast<std::int64_t>(static_cast<double>(base) * -std::log(1 - u)));
  }
  return h;
}

// A 60-second run with a sink, a dip at 30-35 s, an SLO, a ramp and a plan.
BenchReport sample_report() {
  BenchReport r;
  r.format = "am-v2";
  r.batch = 1;
  r.connections = 64;
  r.tenants = 100;
  r.target = "http://127.0.0.1:9093/api/v2/alerts?x=<b>&y=1";
  r.duration_s = 60;
  r.offered_rate = 45000;
  r.achieved_rate = 44950;
  r.requests_sent = 2'700'000;
  r.alerts_sent = 2'700'000;
  r.alerts_acked = 2'697'000;
  r.alerts_delivered = 2'696'990;
  r.status_counts = {{202, 2'697'000}, {429, 2'990}, {0, 10}};
  const LatencyHistogram ack = shaped(400'000), e2e = shaped(900'000);
  r.ack_latency = LatencySummary::of(ack);
  r.end_to_end_latency = LatencySummary::of(e2e);
  r.ack_curve = percentile_curve(ack);
  r.e2e_curve = percentile_curve(e2e);
  r.per_tenant_acked = {26'900, 27'050};
  r.target_usage = TargetUsage{143.2, 123'456'789};
  r.late_sends = 120;
  r.delivered_duplicates = 4;
  for (std::int64_t s = 1; s <= 60; ++s) {
    const bool dip = s >= 30 && s < 35;
    const std::int64_t slow = dip ? 8 : 1;
    r.timeline.push_back(
        {.t_s = static_cast<double>(s),
         .offered_rate = 45000,
         .acked_rate = dip ? 41000.0 + 500.0 * static_cast<double>(s - 30) : 45000.0,
         .delivered_rate = dip ? 40000.0 : 44990.0,
         .errors = dip ? 600U : 0U,
         .ack_p50 = 400'000 * slow + 1000 * (s % 7),
         .ack_p99 = 2 * kMs * slow + 20'000 * (s % 5),
         .ack_max = 6 * kMs * slow,
         .e2e_p50 = 900'000 * slow,
         .e2e_p99 = 4 * kMs * slow + 50'000 * (s % 3),
         .e2e_max = 12 * kMs * slow});
  }
  r.slo = Slo{};
  r.slo->p99_ns = 10 * kMs;
  for (int i = 1; i <= 6; ++i) {
    const double rate = 10000.0 * i;
    const std::int64_t p99 = i <= 4 ? 2 * kMs * i : 20 * kMs * i;
    r.ramp.push_back({.offered_rate = rate,
                      .achieved_rate = i <= 4 ? rate : rate * 0.9,
                      .requests = 100'000,
                      .errors = i <= 4 ? 0U : 900U,
                      .ack_latency = with_p99(p99 / 2),
                      .end_to_end_latency = with_p99(p99),
                      .within_slo = i <= 4});
  }
  r.sustainable_rate = 40000;
  r.plan = plan_capacity(r, *r.slo, 100000);
  return r;
}

}  // namespace

TEST_CASE("bench: HTML report is one self-contained page with the plan and the plots") {
  const BenchReport r = sample_report();
  const std::string html = render_html(r);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("</html>") != std::string::npos);
  CHECK(occurrences(html, "<svg") == 4);  // latency, rate, percentiles, ramp
  CHECK(occurrences(html, "<svg") == occurrences(html, "</svg>"));
  REQUIRE(r.plan);
  CHECK(r.plan->instances == 4);
  CHECK(html.find("<p class=\"plan\">4 instances for 100000 alerts/s at p99 &lt;= 10 ms") !=
        std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  // The only URL is the target's, as text (escaped), twice: the title and the heading.
  CHECK(occurrences(html, "http://") == 2);
  CHECK(occurrences(html, "http://127.0.0.1:9093/api/v2/alerts?x=&lt;b&gt;&amp;y=1") == 2);
  CHECK(html.find("<b>") == std::string::npos);
  CHECK(html.find("99.9%") != std::string::npos);   // percentile axis labels
  CHECK(html.find("99.99%") != std::string::npos);  // the curves reach past 99.99
  CHECK(html.find("SLO p99 10.0 ms") != std::string::npos);
  CHECK(html.find("no answer: 10") != std::string::npos);
  CHECK(occurrences(html, "<polyline") >= 8);
}

TEST_CASE("bench: HTML report escapes every text from the report") {
  BenchReport r;
  r.target = "http://x/<script>alert('t')</script>";
  r.format = "\"><script>";
  r.plan = CapacityPlan{};
  r.plan->text = "<img src=x onerror=alert(1)>";
  const std::string html = render_html(r);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("&quot;&gt;&lt;script&gt;") != std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
  CHECK(html.find("class=\"plan unknown\"") != std::string::npos);  // 0 instances
}

TEST_CASE("bench: HTML report of an empty run says what was not measured") {
  const std::string html = render_html(BenchReport{});
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("</html>") != std::string::npos);
  CHECK(occurrences(html, "<svg") == 0);
  CHECK(occurrences(html, "Not measured") == 3);  // latency, rate, percentiles
  CHECK(html.find("no SLO was given") != std::string::npos);
  CHECK(html.find("not measured (no embedded sink)") != std::string::npos);
  CHECK(html.find("<h2>Ramp</h2>") == std::string::npos);
  CHECK(html.find("http") == std::string::npos);
  CHECK_FALSE(has_non_finite(html));

  // Only ack latency, a timeline without a sink, all-zero latencies in an interval.
  BenchReport ack_only;
  LatencyHistogram h;
  h.record(3 * kMs);
  ack_only.ack_curve = percentile_curve(h);
  ack_only.timeline.resize(2);
  ack_only.timeline[0].t_s = 1;
  ack_only.timeline[1].t_s = 2;
  ack_only.timeline[0].offered_rate = ack_only.timeline[1].offered_rate = 10;
  ack_only.ramp.resize(1);
  ack_only.ramp[0].offered_rate = 10;
  const std::string partial = render_html(ack_only);
  CHECK(occurrences(partial, "<svg") == 3);  // rate, percentiles, ramp
  CHECK(partial.find("Not measured: the run recorded no intervals.") != std::string::npos);
  CHECK(partial.find("End-to-end: not measured.") != std::string::npos);
  CHECK_FALSE(has_non_finite(partial));
}

TEST_CASE("bench: HTML report survives non-finite and extreme numbers") {
  BenchReport r;
  r.offered_rate = NAN;
  r.achieved_rate = INFINITY;
  r.duration_s = -1;
  for (const double rate : {double{NAN}, double{INFINITY}, -1e300, 1e300, 0.0}) {
    IntervalSample s;
    s.t_s = rate;
    s.offered_rate = rate;
    s.acked_rate = -rate;
    s.ack_p50 = 1;
    s.ack_p99 = std::numeric_limits<std::int64_t>::max();
    r.timeline.push_back(s);
  }
  r.ack_curve = {{NAN, 5}, {99.99999999, 7}, {100, 9}};
  r.ramp.resize(2);
  r.ramp[0].offered_rate = 1e300;
  r.ramp[1].offered_rate = -1e300;
  r.sustainable_rate = NAN;
  const std::string html = render_html(r);
  CHECK(html.find("</html>") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK_FALSE(has_non_finite(html));
  // The plots draw only finite coordinates.
  CHECK_FALSE(std::regex_search(html, std::regex(R"(points="[^"]*(nan|inf))")));
}

// Writes sample pages for a look in a browser:
//   ./unit_tests "[.sample]" && chromium --headless --screenshot ... /tmp/sample_report.html
TEST_CASE("bench: HTML sample report to /tmp/sample_report.html", "[.sample]") {
  std::ofstream("/tmp/sample_report.html") << render_html(sample_report());
  BenchReport no_sink = sample_report();  // an ack-only run without SLO
  no_sink.end_to_end_latency.reset();
  no_sink.e2e_curve.clear();
  no_sink.ramp.clear();
  no_sink.sustainable_rate.reset();
  no_sink.slo.reset();
  no_sink.plan.reset();
  no_sink.alerts_delivered = 0;
  for (IntervalSample& s : no_sink.timeline) s.e2e_p50 = s.e2e_p99 = s.e2e_max = 0;
  for (IntervalSample& s : no_sink.timeline) s.delivered_rate = 0;
  std::ofstream("/tmp/sample_report_no_sink.html") << render_html(no_sink);
}

}  // namespace alertgate::bench
