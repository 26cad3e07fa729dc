// EmbeddedSink: the webhook receiver of `alertgate bench --sink-listen HOST:PORT`. It
// answers every POST the way the real receiver would (Alertmanager webhook v4 and generic
// JSON: 200 empty; a path ending in /v2/enqueue: 202 PagerDuty success JSON; a path under
// /services/: 200 "ok" as Slack), finds each delivered alert's bench marker
// (bench_marker.hpp) and records arrival - intended into its histograms, on the same
// system_clock the load generator used for the intended times.
//
// Body handling: a body with an "alerts" array (webhook v4) is read alert by alert
// (alerts[i].annotations.alertgate_bench), so commonAnnotations does not count twice; any
// other JSON body is scanned for markers, each seq counted once per body. A body that is
// not JSON gets 400 and counts in unreadable(); so does a marker prefix with a bad marker.
//
// Counting: `distinct` = seqs seen at least once, `duplicates` = further sightings of a
// seen seq (retries, at-least-once). Seqs below `expected_alerts` are tracked in a bitmap
// allocated up front; larger ones grow it (on the sink thread).
//
// Threads: start() spawns one thread running the sink's io_context; everything else
// happens there. collect_interval()/step_result()/totals()/progress() may be called from
// any thread: they post to the sink thread and wait for the answer. stop() is idempotent,
// joins the thread; the destructor calls it. Errors: start() fails with a message if it
// cannot bind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "alertgate/bench/latency_histogram.hpp"
#include "alertgate/result.hpp"
#include "alertgate/time.hpp"

namespace alertgate::bench {

struct SinkOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT; port 0 picks a free port
  std::uint64_t expected_alerts = 0;   // bitmap size hint (alerts the run will send)
  // Ramp: step of an alert seq; steps = number of steps (0 or 1: no per-step histograms).
  std::size_t steps = 0;
  std::function<std::size_t(std::uint64_t seq)> step_of_seq;
};

struct SinkCounts {
  std::uint64_t requests = 0;    // POSTs answered
  std::uint64_t distinct = 0;    // alerts (seqs) seen at least once
  std::uint64_t duplicates = 0;  // further sightings
  std::uint64_t unreadable = 0;  // non-JSON bodies + bad markers
};

// The whole run's counts and when its first sightings arrived (system_clock, as read by
// the session on arrival); first/last stay TimePoint{} until the first alert arrived.
struct SinkProgress {
  SinkCounts counts;
  TimePoint first_delivery{};  // arrival of the first distinct alert
  TimePoint last_delivery{};   // arrival of the latest distinct alert (duplicates do not move it)
};

class EmbeddedSink {
 public:
  explicit EmbeddedSink(SinkOptions options);
  ~EmbeddedSink();
  EmbeddedSink(const EmbeddedSink&) = delete;
  EmbeddedSink& operator=(const EmbeddedSink&) = delete;

  // Binds and starts the sink thread; returns the bound port.
  Result<unsigned short> start();
  // The bound port (after start()).
  unsigned short port() const;

  // Merges the latencies recorded since the previous call into `into` (same layout as a
  // default LatencyHistogram) and returns the counts of that interval (distinct =
  // first sightings in the interval). Any thread; blocks until the sink thread answers.
  SinkCounts collect_interval(LatencyHistogram& into);
  // The whole run so far: merges every first-sighting latency into `into`.
  SinkCounts totals(LatencyHistogram& into);
  // The counts and delivery times so far, without the histograms (cheap: a poll loop may
  // call it often). Any thread; blocks until the sink thread answers.
  SinkProgress progress();
  // Ramp step k (k < steps): merges its latencies into `into`, returns its first sightings.
  std::uint64_t step_result(std::size_t k, LatencyHistogram& into);

  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alertgate::bench
