// LoadGenerator: the open-loop HTTP load of `alertgate bench`. `threads` workers, each
// with its own io_context and its share of `connections` keep-alive HTTP/1.1 connections
// (Beast). Request i of the schedule belongs to worker i mod threads; a worker sends each
// of its requests as soon as it is due and a connection is free. When every connection is
// busy, due requests wait -- and their latency still counts from their intended time
// (wrk2's correction for coordinated omission); a request sent more than 1 ms after its
// intended time counts as a late send.
//
// Each answer is recorded by the worker that sent it: ack latency (answer - intended) in
// the worker's whole-run, interval and ramp-step histograms, the status (0 = no answer:
// connect error, reset or timeout), alerts acknowledged per tenant on 2xx.
//
// Threads: run() blocks the caller until every request of the schedule was answered (or
// stop() was called), running the workers on their own threads. collect_interval() and
// totals() may be called from any thread while run() runs (they post to each worker and
// wait) or after it returns. stop() may be called from any thread: unsent requests are
// dropped, in-flight ones abandoned.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "alertgate/bench/body_generator.hpp"
#include "alertgate/bench/latency_histogram.hpp"
#include "alertgate/bench/open_loop_schedule.hpp"
#include "alertgate/result.hpp"

namespace alertgate::bench {

// An http:// URL split for the client. https is not supported (a bench target on loopback).
struct TargetUrl {
  std::string host;  // IP literal or name; resolved once at start
  unsigned short port = 80;
  std::string path;  // with query, "/" at least
  std::string host_header;
};
// Errors: not http://, no host, bad port.
Result<TargetUrl> parse_target_url(std::string_view url);

struct LoadOptions {
  TargetUrl target;
  unsigned threads = 1;
  unsigned connections = 32;  // in all, split over the threads (at least one each)
  std::chrono::nanoseconds timeout = std::chrono::seconds(5);
  // Per tenant: the Authorization header value ("Bearer x"; empty: none) and the PagerDuty
  // routing key. Request i goes to tenant i mod tenants.size() (at least one entry).
  struct Tenant {
    std::string authorization;
    std::string routing_key;
  };
  std::vector<Tenant> tenants;
};

struct LoadCounts {
  std::uint64_t requests_sent = 0;
  std::uint64_t requests_answered = 0;  // including errors and timeouts
  std::uint64_t alerts_sent = 0;
  std::uint64_t alerts_acked = 0;  // in 2xx answers
  std::uint64_t errors = 0;        // non-2xx or no answer
  std::uint64_t late_sends = 0;
  std::uint64_t due = 0;  // requests whose intended time has passed (cumulative, since start)
  std::array<std::uint64_t, 600> status{};  // index = HTTP status, 0 = no answer
  std::vector<std::uint64_t> per_tenant_acked;

  void add(const LoadCounts& other);
};

class LoadGenerator {
 public:
  // The schedule and generator must outlive the LoadGenerator. `steps` > 1 keeps one
  // histogram per ramp step (schedule.step_of(i)).
  LoadGenerator(LoadOptions options, const OpenLoopSchedule& schedule, const BodyGenerator& bodies);
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Resolves the target; error if it cannot be resolved. Then runs to completion.
  Result<bool> run();
  void stop();

  // Latencies and counts since the previous collect_interval, merged into `into`.
  LoadCounts collect_interval(LatencyHistogram& into);
  // The whole run so far.
  LoadCounts totals(LatencyHistogram& into);
  // Ramp step k: its latencies merged into `into`, its counts returned.
  LoadCounts step_totals(std::size_t k, LatencyHistogram& into);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alertgate::bench
