#include "alertgate/metrics.hpp"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

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

std::string status_label(std::size_t slot) {
  return kStatusCodes[slot] == 0 ? "other" : std::to_string(kStatusCodes[slot]);
}

std::string_view outcome_name(std::size_t i) {
  static constexpr std::array<std::string_view, kNotifyOutcomeCount> kNames{"delivered", "retry",
                                                                            "failed"};
  return kNames[i];
}

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

ClientMetric counter(std::vector<ClientMetric::Label> labels, double v) {
  ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = v;
  return m;
}

ClientMetric gauge(std::vector<ClientMetric::Label> labels, double v) {
  ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = v;
  return m;
}

}  // namespace

std::string_view to_string(RejectReason r) {
  return r == RejectReason::queue_full ? "queue_full" : "invalid";
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

Metrics::Metrics(std::vector<std::string> tenant_ids, std::vector<std::string> endpoint_paths,
                 std::size_t reactors, std::string version)
    : tenant_ids_(std::move(tenant_ids)),
      endpoint_paths_(std::move(endpoint_paths)),
      version_(std::move(version)),
      start_time_(std::chrono::system_clock::now()) {
  for (std::size_t i = 0; i < reactors; ++i) {
    reactors_.push_back(
        std::make_unique<ReactorMetrics>(tenant_ids_.size(), endpoint_paths_.size()));
  }
}

void Metrics::set_queue_depth_source(std::function<std::uint64_t(std::size_t)> source) {
  queue_depth_ = std::move(source);
}
void Metrics::set_ready_source(std::function<bool()> source) { ready_ = std::move(source); }

std::string Metrics::render() const {
  auto family = [](std::string name, std::string help, MetricType type) {
    MetricFamily f;
    f.name = std::move(name);
    f.help = std::move(help);
    f.type = type;
    return f;
  };
  auto sum = [this](auto&& get) {
    std::uint64_t total = 0;
    for (const auto& r : reactors_) total += get(*r);
    return static_cast<double>(total);
  };

  std::vector<MetricFamily> out;
  {
    auto f = family("alertgate_build_info", "Build information; always 1.", MetricType::Gauge);
    f.metric.push_back(gauge({{"version", version_}}, 1));
    out.push_back(std::move(f));
  }
  {
    auto f =
        family("alertgate_start_time_seconds", "Unix time the process started.", MetricType::Gauge);
    f.metric.push_back(
        gauge({}, std::chrono::duration<double>(start_time_.time_since_epoch()).count()));
    out.push_back(std::move(f));
  }
  {
    auto f = family("alertgate_ready", "1 when the daemon is ready to accept alerts.",
                    MetricType::Gauge);
    f.metric.push_back(gauge({}, ready_ && ready_() ? 1 : 0));
    out.push_back(std::move(f));
  }

  auto received =
      family("alertgate_alerts_received_total",
             "Alerts accepted at ingest, by tenant and wire format.", MetricType::Counter);
  auto rejected = family("alertgate_alerts_rejected_total",
                         "Alerts refused at ingest, by tenant and reason.", MetricType::Counter);
  auto notifications =
      family("alertgate_notifications_total",
             "Delivery attempts, by tenant, destination type and outcome.", MetricType::Counter);
  auto throttled = family("alertgate_tenant_requests_throttled_total",
                          "Requests answered 429 before decoding because the tenant's queue was "
                          "full.",
                          MetricType::Counter);
  auto depth = family("alertgate_tenant_queue_depth",
                      "Alerts waiting in the tenant's queue on its home shard.", MetricType::Gauge);
  for (std::size_t t = 0; t < tenant_ids_.size(); ++t) {
    const std::string& tenant = tenant_ids_[t];
    for (std::size_t fmt_i = 0; fmt_i < kSourceFormatCount; ++fmt_i) {
      const auto format = std::string(to_string(static_cast<SourceFormat>(fmt_i)));
      received.metric.push_back(
          counter({{"format", format}, {"tenant", tenant}},
                  sum([&](const ReactorMetrics& r) { return r.tenant(t).received[fmt_i].get(); })));
    }
    for (std::size_t r_i = 0; r_i < kRejectReasonCount; ++r_i) {
      const auto reason = std::string(to_string(static_cast<RejectReason>(r_i)));
      rejected.metric.push_back(
          counter({{"reason", reason}, {"tenant", tenant}},
                  sum([&](const ReactorMetrics& r) { return r.tenant(t).rejected[r_i].get(); })));
    }
    for (std::size_t d = 0; d < kDestinationTypeCount; ++d) {
      for (std::size_t o = 0; o < kNotifyOutcomeCount; ++o) {
        const double v =
            sum([&](const ReactorMetrics& r) { return r.tenant(t).notifications[d][o].get(); });
        if (v == 0) continue;  // 24 series per tenant, most of them never used
        notifications.metric.push_back(
            counter({{"destination_type", std::string(to_string(static_cast<DestinationType>(d)))},
                     {"outcome", std::string(outcome_name(o))},
                     {"tenant", tenant}},
                    v));
      }
    }
    throttled.metric.push_back(counter({{"tenant", tenant}}, sum([&](const ReactorMetrics& r) {
                                         return r.tenant(t).throttled_requests.get();
                                       })));
    depth.metric.push_back(
        gauge({{"tenant", tenant}}, queue_depth_ ? static_cast<double>(queue_depth_(t)) : 0));
  }
  out.push_back(std::move(received));
  out.push_back(std::move(rejected));
  out.push_back(std::move(notifications));
  out.push_back(std::move(throttled));
  out.push_back(std::move(depth));

  auto requests = family("alertgate_http_requests_total", "HTTP requests, by path and status code.",
                         MetricType::Counter);
  auto duration = family("alertgate_http_request_duration_seconds",
                         "Time from a complete request to its response being handed to the "
                         "socket, by path.",
                         MetricType::Histogram);
  for (std::size_t e = 0; e < endpoint_paths_.size(); ++e) {
    const std::string& path = endpoint_paths_[e];
    for (std::size_t s = 0; s < kStatusCodes.size(); ++s) {
      const double v =
          sum([&](const ReactorMetrics& r) { return r.endpoint(e).requests[s].get(); });
      if (v == 0) continue;
      requests.metric.push_back(counter({{"code", status_label(s)}, {"path", path}}, v));
    }
    ClientMetric h;
    h.label = {{"path", path}};
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kLatencyBuckets.size(); ++b) {
      cumulative += static_cast<std::uint64_t>(
          sum([&](const ReactorMetrics& r) { return r.endpoint(e).duration.bucket(b); }));
      h.histogram.bucket.push_back({cumulative, b < kLatencyBuckets.size()
                                                    ? kLatencyBuckets[b]
                                                    : std::numeric_limits<double>::infinity()});
    }
    h.histogram.sample_count = cumulative;
    double total = 0;
    for (const auto& r : reactors_) total += r->endpoint(e).duration.sum_seconds();
    h.histogram.sample_sum = total;
    duration.metric.push_back(std::move(h));
  }
  out.push_back(std::move(requests));
  out.push_back(std::move(duration));

  {
    auto f =
        family("alertgate_http_connections_active", "Open client connections.", MetricType::Gauge);
    f.metric.push_back(
        gauge({}, sum([](const ReactorMetrics& r) { return r.connections_active().get(); })));
    out.push_back(std::move(f));
    auto g = family("alertgate_http_connections_refused_total",
                    "Connections closed at accept because max_connections was reached.",
                    MetricType::Counter);
    g.metric.push_back(
        counter({}, sum([](const ReactorMetrics& r) { return r.connections_refused().get(); })));
    out.push_back(std::move(g));
  }
  return prometheus::TextSerializer().Serialize(out);
}

}  // namespace alertgate
