// Metrics: per-reactor counter cells, summed when /metrics is scraped.
//
// Each reactor thread owns one ReactorMetrics and is the only writer of its cells; a cell
// is a relaxed atomic updated with load+store (no locked read-modify-write, nothing
// shared between cores on the hot path). The scraper (any thread) reads every cell with
// relaxed loads: a scrape sees each counter at some recent value, never a torn one.
//
// Labels are small integer indexes fixed at construction (tenant index, source format,
// endpoint index, status code slot); names are attached only when rendering.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "alertgate/alert.hpp"

namespace alertgate {

class Cell {
 public:
  void add(std::uint64_t n = 1) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void sub(std::uint64_t n = 1) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
  }
  std::uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

// Upper bounds (seconds) of the latency histograms.
inline constexpr std::array<double, 16> kLatencyBuckets{
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
    0.025,   0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0};

class HistogramCells {
 public:
  void observe(std::chrono::nanoseconds d) noexcept;
  std::uint64_t bucket(std::size_t i) const noexcept {
    return buckets_[i].get();
  }  // not cumulative
  std::uint64_t count() const noexcept { return count_.get(); }
  double sum_seconds() const noexcept { return static_cast<double>(sum_ns_.get()) * 1e-9; }

 private:
  std::array<Cell, kLatencyBuckets.size() + 1> buckets_;  // last = +Inf
  Cell count_;
  Cell sum_ns_;
};

enum class RejectReason : std::uint8_t { invalid, queue_full };
inline constexpr std::size_t kRejectReasonCount = 2;
std::string_view to_string(RejectReason r);

enum class NotifyOutcome : std::uint8_t { delivered, retry, failed };
inline constexpr std::size_t kNotifyOutcomeCount = 3;
inline constexpr std::size_t kDestinationTypeCount = 8;  // DestinationType values

// HTTP status codes we count by their own label; anything else counts as "other".
inline constexpr std::array<unsigned, 16> kStatusCodes{200, 202, 204, 400, 401, 403, 404, 405,
                                                       408, 413, 415, 429, 431, 500, 503, 0};

struct TenantCells {
  std::array<Cell, kSourceFormatCount> received;
  std::array<Cell, kRejectReasonCount> rejected;
  Cell throttled_requests;  // 429 before decoding: the alerts were never counted
  std::array<std::array<Cell, kNotifyOutcomeCount>, kDestinationTypeCount> notifications;
};

struct EndpointCells {
  std::array<Cell, kStatusCodes.size()> requests;  // by status slot
  HistogramCells duration;
};

// One reactor's cells. Written only by that reactor's thread.
class ReactorMetrics {
 public:
  ReactorMetrics(std::size_t tenants, std::size_t endpoints);

  TenantCells& tenant(std::size_t index) { return tenants_[index]; }
  const TenantCells& tenant(std::size_t index) const { return tenants_[index]; }
  EndpointCells& endpoint(std::size_t index) { return endpoints_[index]; }
  const EndpointCells& endpoint(std::size_t index) const { return endpoints_[index]; }
  Cell& connections_active() { return connections_active_; }
  Cell& connections_refused() { return connections_refused_; }
  const Cell& connections_active() const { return connections_active_; }
  const Cell& connections_refused() const { return connections_refused_; }

  // Counts a finished HTTP request on endpoint `index`.
  void http_request(std::size_t endpoint, unsigned status, std::chrono::nanoseconds took) noexcept;

 private:
  std::unique_ptr<TenantCells[]> tenants_;
  std::unique_ptr<EndpointCells[]> endpoints_;
  Cell connections_active_;
  Cell connections_refused_;
};

// The registry: names for the indexes, one ReactorMetrics per reactor, and rendering.
// Built by app before the reactors start; render() may run on any thread.
class Metrics {
 public:
  // `endpoint_paths[i]` is the `path` label of endpoint index i.
  Metrics(std::vector<std::string> tenant_ids, std::vector<std::string> endpoint_paths,
          std::size_t reactors, std::string version);

  ReactorMetrics& reactor(std::size_t i) { return *reactors_[i]; }
  std::size_t endpoint_count() const { return endpoint_paths_.size(); }

  // Gauges read at scrape time from their owners.
  void set_queue_depth_source(std::function<std::uint64_t(std::size_t tenant)> source);
  void set_ready_source(std::function<bool()> source);

  // Prometheus text exposition format 0.0.4.
  std::string render() const;

 private:
  std::vector<std::string> tenant_ids_;
  std::vector<std::string> endpoint_paths_;
  std::vector<std::unique_ptr<ReactorMetrics>> reactors_;
  std::string version_;
  std::function<std::uint64_t(std::size_t)> queue_depth_;
  std::function<bool()> ready_;
  std::chrono::system_clock::time_point start_time_;
};

}  // namespace alertgate
