#include "alertgate/bench/sink_only.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fstream>
#include <ostream>
#include <system_error>
#include <thread>

#include "alertgate/bench/bench_driver.hpp"
#include "alertgate/bench/embedded_sink.hpp"

namespace alertgate::bench {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Short enough that "expected reached" ends the run within a poll of the last delivery
// (the report's times come from the sink, not from the poll); a poll is one post to the
// sink thread.
constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr auto kProgress = std::chrono::seconds(1);

bool write_atomically(const std::filesystem::path& path, const std::string& text) {
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

int run_sink_only(const SinkOnlyOptions& o, std::ostream& out, std::ostream& err,
                  SinkOnlyReport* report) {
  if (o.timeout <= std::chrono::nanoseconds(0) || o.idle <= std::chrono::nanoseconds(0)) {
    fmt::print(err, "alertgate bench: --sink-only needs --duration and --idle > 0\n");
    return kBenchUsage;
  }
  SinkOptions so;
  so.listen = o.listen;
  so.expected_alerts = o.expected_alerts;
  EmbeddedSink sink(std::move(so));
  auto port = sink.start();
  if (!port) {
    fmt::print(err, "alertgate bench: --sink-listen: {}\n", port.error().message);
    return kBenchUsage;
  }
  const TimePoint started = now();
  const auto steady_start = SteadyClock::now();
  if (!o.port_file.empty() && !write_atomically(o.port_file, fmt::format("{}\n", *port))) {
    fmt::print(err, "alertgate bench: cannot write {}\n", o.port_file.string());
    return kBenchUsage;
  }
  if (!o.quiet) {
    fmt::print(err, "alertgate bench: sink-only on port {}, waiting for {} alert(s)\n", *port,
               o.expected_alerts);
    err.flush();
  }

  DeliveryWatch watch({o.expected_alerts, o.timeout, o.idle}, steady_start);
  auto next_progress = steady_start + kProgress;
  std::uint64_t at_last_progress = 0;
  SinkProgress p;
  WaitEnd end = WaitEnd::waiting;
  while (end == WaitEnd::waiting) {
    std::this_thread::sleep_for(kPoll);
    p = sink.progress();
    const auto at = SteadyClock::now();
    end = watch.observe(p.counts.distinct, at);
    if (!o.quiet && at >= next_progress) {
      next_progress += kProgress;
      fmt::print(err, "[{:6.1f}s] delivered {} (+{}) duplicates {}\n",
                 std::chrono::duration<double>(at - steady_start).count(), p.counts.distinct,
                 p.counts.distinct - at_last_progress, p.counts.duplicates);
      err.flush();
      at_last_progress = p.counts.distinct;
    }
  }
  const double waited = std::chrono::duration<double>(SteadyClock::now() - steady_start).count();
  sink.stop();
  p = sink.progress();  // after stop(): answered here, and final

  const SinkOnlyReport r = SinkOnlyReport::of(o.expected_alerts, end, p, started, waited);
  if (!o.json_path.empty() && !write_atomically(o.json_path, to_json(r) + "\n")) {
    fmt::print(err, "alertgate bench: cannot write {}\n", o.json_path.string());
    return kBenchUsage;
  }
  fmt::print(out, "{}\n", summary_line(r));
  if (report) *report = r;
  return kBenchOk;
}

}  // namespace alertgate::bench
