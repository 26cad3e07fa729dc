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
#include <mutex>
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
  // For counters kept elsewhere by the same single writer (e.g. a shard's routing stats).
  void set(std::uint64_t v) noexcept { v_.store(v, std::memory_order_relaxed); }
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

// Why alerts were refused at ingest: invalid (decode error), queue_full (the home shard's
// queue for the tenant), rate_limited (the tenant's token bucket), active_limit (the tenant
// has max_active_alerts firing alerts).
enum class RejectReason : std::uint8_t {
  invalid,
  queue_full,
  rate_limited,
  active_limit,
  log_unavailable,   // durability: wal and the write-ahead log failed (503)
  kafka_unavailable  // durability: kafka and the broker did not take it (503)
};
inline constexpr std::size_t kRejectReasonCount = 6;
std::string_view to_string(RejectReason r);

enum class NotifyOutcome : std::uint8_t { delivered, retry, failed };
inline constexpr std::size_t kNotifyOutcomeCount = 3;
inline constexpr std::size_t kDestinationTypeCount = 8;  // DestinationType values

// HTTP status codes we count by their own label; anything else counts as "other".
inline constexpr std::array<unsigned, 16> kStatusCodes{200, 202, 204, 400, 401, 403, 404, 405,
                                                       408, 413, 415, 429, 431, 500, 503, 0};

// What the tenant's home shard did with its alerts (DispatcherStats, mirrored after each
// batch by the shard thread).
enum class RouteEvent : std::uint8_t {
  routed,
  unrouted,
  deduplicated,
  inhibited,
  muted,
  expired,
  dropped_active_limit,
  notifications,
  notified_alerts
};
inline constexpr std::size_t kRouteEventCount = 9;
std::string_view to_string(RouteEvent e);

struct TenantCells {
  std::array<Cell, kSourceFormatCount> received;
  std::array<Cell, kRejectReasonCount> rejected;
  Cell throttled_requests;  // 429 before decoding: the alerts were never counted
  std::array<std::array<Cell, kNotifyOutcomeCount>, kDestinationTypeCount> notifications;
  // Written by the home shard only (set, not add): the totals of its TenantDispatcher.
  std::array<Cell, kRouteEventCount> routing;
  Cell active_alerts;  // gauge
  Cell groups;         // gauge
  // Notifications that ended in the dead-letter store, by destination type.
  std::array<Cell, kDestinationTypeCount> dead_letters;
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
  // Delivery, by destination type: time from notification to delivered, requests in flight.
  HistogramCells& notification_latency(std::size_t type) { return latency_[type]; }
  const HistogramCells& notification_latency(std::size_t type) const { return latency_[type]; }
  Cell& in_flight(std::size_t type) { return in_flight_[type]; }
  const Cell& in_flight(std::size_t type) const { return in_flight_[type]; }
  Cell& connections_active() { return connections_active_; }
  Cell& connections_refused() { return connections_refused_; }
  const Cell& connections_active() const { return connections_active_; }
  const Cell& connections_refused() const { return connections_refused_; }

  // Counts a finished HTTP request on endpoint `index`.
  void http_request(std::size_t endpoint, unsigned status, std::chrono::nanoseconds took) noexcept;

 private:
  std::unique_ptr<TenantCells[]> tenants_;
  std::unique_ptr<EndpointCells[]> endpoints_;
  std::array<HistogramCells, kDestinationTypeCount> latency_;
  std::array<Cell, kDestinationTypeCount> in_flight_;
  Cell connections_active_;
  Cell connections_refused_;
};

// One destination's circuit breaker state for /metrics: written by its shard, read by
// scrapes. Lives as long as the Metrics that made it.
struct BreakerGauge {
  std::string tenant;
  std::string destination;  // describe(): secrets redacted
  std::atomic<int> open{0};
};

// The durable state (write-ahead log and dead-letter store), read at scrape time from
// their owners (app): sums over the log's shard writers.
struct StorageStats {
  bool wal = false;                       // durability: wal (the wal_* fields are meaningful)
  std::uint64_t wal_appended = 0;         // alert records synced
  std::uint64_t wal_append_failures = 0;  // appends answered with an error (503)
  std::uint64_t wal_commits = 0;          // fdatasync calls (group commits)
  std::uint64_t wal_bytes_written = 0;
  std::uint64_t wal_segments = 0;  // on disk now
  std::uint64_t wal_compactions = 0;
  std::uint64_t wal_records_moved = 0;
  std::uint64_t wal_io_errors = 0;
  std::uint64_t wal_tails_truncated = 0;       // torn tails cut by replay
  std::uint64_t wal_segments_quarantined = 0;  // damaged segments moved aside by replay
  bool kafka = false;  // a Kafka producer runs (the kafka_* fields are meaningful)
  bool kafka_up = false;
  std::uint64_t kafka_delivered = 0;
  std::uint64_t kafka_failed = 0;
  std::uint64_t kafka_in_flight = 0;
  // mode: ingest + durability: wal (kafka/wal_forwarder.hpp): logged alerts not yet in Kafka.
  bool kafka_forwarder = false;
  std::uint64_t kafka_forward_pending = 0;
  std::uint64_t kafka_forward_retries = 0;
  std::uint64_t kafka_forward_dead_lettered = 0;
  // mode: router: per assigned partition, messages behind the high watermark (-1 unknown).
  struct PartitionLag {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t lag = -1;
  };
  bool consumer = false;
  bool consumer_assigned = false;
  std::vector<PartitionLag> consumer_lag;
  std::uint64_t dead_letters_stored = 0;  // in the store now
  std::uint64_t dead_letter_write_errors = 0;
};

// The registry: names for the indexes, one ReactorMetrics per reactor, and rendering.
// Built by app before the reactors start; render() may run on any thread. Tenant cells
// exist for `tenant_capacity` indexes from the start (so reactors never see them move);
// add_tenant() names one (control thread), and only named tenants are rendered.
class Metrics {
 public:
  // `endpoint_paths[i]` is the `path` label of endpoint index i.
  Metrics(std::size_t tenant_capacity, std::vector<std::string> endpoint_paths,
          std::size_t reactors, std::string version);

  ReactorMetrics& reactor(std::size_t i) { return *reactors_[i]; }
  std::size_t endpoint_count() const { return endpoint_paths_.size(); }

  // Control thread. Index i must be < tenant_capacity; indexes are added in order.
  void add_tenant(std::size_t index, std::string tenant_id);

  // Any thread: a gauge for alertgate_destination_circuit_open{tenant,destination}; the
  // same pair gives the same gauge.
  BreakerGauge& breaker_gauge(const std::string& tenant, const std::string& destination);

  // Control thread: the outcome of a (re)load of the policy.
  void reload_finished(bool success, std::chrono::system_clock::time_point at);
  // Control thread: a tenant's new policy was applied, or refused (it kept the old one).
  void tenant_reload(std::size_t index, bool applied);

  // Gauges read at scrape time from their owners.
  void set_queue_depth_source(std::function<std::uint64_t(std::size_t tenant)> source);
  void set_ready_source(std::function<bool()> source);
  void set_storage_source(std::function<StorageStats()> source);

  // Prometheus text exposition format 0.0.4.
  std::string render() const;

 private:
  mutable std::mutex mutex_;             // guards the control-thread state below
  std::vector<std::string> tenant_ids_;  // named tenants, by index
  struct ReloadCounts {
    std::uint64_t applied = 0;
    std::uint64_t refused = 0;
  };
  std::vector<ReloadCounts> tenant_reloads_;
  std::vector<std::unique_ptr<BreakerGauge>> breakers_;
  std::uint64_t reloads_ok_ = 0;
  std::uint64_t reloads_failed_ = 0;
  bool last_reload_ok_ = false;
  double last_reload_success_seconds_ = 0;
  std::size_t tenant_capacity_;
  std::vector<std::string> endpoint_paths_;
  std::vector<std::unique_ptr<ReactorMetrics>> reactors_;
  std::string version_;
  std::function<std::uint64_t(std::size_t)> queue_depth_;
  std::function<bool()> ready_;
  std::function<StorageStats()> storage_;
  std::chrono::system_clock::time_point start_time_;
};

}  // namespace alertgate
