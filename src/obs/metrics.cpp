#include "alertgate/metrics.hpp"

#include <algorithm>

#include "alertgate/tenant_policy.hpp"

namespace alertgate {

namespace {

std::size_t status_slot(unsigned status) {
  for (std::size_t i = 0; i + 1 < kStatusCodes.size(); ++i) {
    if (kStatusCodes[i] == status) return i;
  }
  return kStatusCodes.size() - 1;  // "other"
}

}  // namespace

std::string_view to_string(RejectReason r) {
  static constexpr std::array<std::string_view, kRejectReasonCount> kNames{
      "invalid",      "queue_full",      "rate_limited",
      "active_limit", "log_unavailable", "kafka_unavailable"};
  return kNames[static_cast<std::size_t>(r)];
}

std::string_view to_string(RouteEvent e) {
  static constexpr std::array<std::string_view, kRouteEventCount> kNames{
      "routed",         "unrouted", "deduplicated",         "inhibited",
      "muted",          "expired",  "dropped_active_limit", "notifications",
      "notified_alerts"};
  return kNames[static_cast<std::size_t>(e)];
}

void HistogramCells::observe(std::chrono::nanoseconds d) noexcept {
  const double s = static_cast<double>(d.count()) * 1e-9;
  std::size_t i = 0;
  while (i < kLatencyBuckets.size() && s > kLatencyBuckets[i]) ++i;
  buckets_[i].add();
  count_.add();
  sum_ns_.add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, d.count())));
}

ReactorMetrics::ReactorMetrics(std::size_t tenants, std::size_t endpoints)
    : tenants_(std::make_unique<TenantCells[]>(tenants)),
      endpoints_(std::make_unique<EndpointCells[]>(endpoints)) {}

void ReactorMetrics::http_request(std::size_t endpoint, unsigned status,
                                  std::chrono::nanoseconds took) noexcept {
  auto& e = endpoints_[endpoint];
  e.requests[status_slot(status)].add();
  e.duration.observe(took);
}

Metrics::Metrics(std::size_t tenant_capacity, std::vector<std::string> endpoint_paths,
                 std::size_t reactors, std::string version)
    : tenant_capacity_(tenant_capacity),
      endpoint_paths_(std::move(endpoint_paths)),
      version_(std::move(version)),
      start_time_(std::chrono::system_clock::now()) {
  for (std::size_t i = 0; i < reactors; ++i) {
    reactors_.push_back(std::make_unique<ReactorMetrics>(tenant_capacity_, endpoint_paths_.size()));
  }
}

void Metrics::add_tenant(std::size_t index, std::string tenant_id) {
  std::lock_guard lock(mutex_);
  if (index >= tenant_capacity_ || index != tenant_ids_.size()) return;
  tenant_ids_.push_back(std::move(tenant_id));
  tenant_reloads_.emplace_back();
}

BreakerGauge& Metrics::breaker_gauge(const std::string& tenant, const std::string& destination) {
  std::lock_guard lock(mutex_);
  for (auto& b : breakers_) {
    if (b->tenant == tenant && b->destination == destination) return *b;
  }
  breakers_.push_back(std::make_unique<BreakerGauge>());
  breakers_.back()->tenant = tenant;
  breakers_.back()->destination = destination;
  return *breakers_.back();
}

void Metrics::reload_finished(bool success, std::chrono::system_clock::time_point at) {
  std::lock_guard lock(mutex_);
  last_reload_ok_ = success;
  if (success) {
    ++reloads_ok_;
    last_reload_success_seconds_ = std::chrono::duration<double>(at.time_since_epoch()).count();
  } else {
    ++reloads_failed_;
  }
}

void Metrics::tenant_reload(std::size_t index, bool applied) {
  std::lock_guard lock(mutex_);
  if (index >= tenant_reloads_.size()) return;
  ++(applied ? tenant_reloads_[index].applied : tenant_reloads_[index].refused);
}

void Metrics::set_queue_depth_source(std::function<std::uint64_t(std::size_t)> source) {
  queue_depth_ = std::move(source);
}
void Metrics::set_ready_source(std::function<bool()> source) { ready_ = std::move(source); }
void Metrics::set_storage_source(std::function<StorageStats()> source) {
  storage_ = std::move(source);
}

}  // namespace alertgate
