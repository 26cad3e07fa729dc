// Rendering the registry in the Prometheus text format (through prometheus-cpp's serializer).
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <limits>

#include "alertgate/metrics.hpp"
#include "alertgate/tenant_policy.hpp"

namespace alertgate {

namespace {

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

// One histogram series from per-reactor cells (bucket counts are not cumulative there).
template <typename GetCells>
ClientMetric histogram(std::vector<ClientMetric::Label> labels,
                       const std::vector<std::unique_ptr<ReactorMetrics>>& reactors,
                       GetCells&& cells) {
  ClientMetric h;
  h.label = std::move(labels);
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b <= kLatencyBuckets.size(); ++b) {
    for (const auto& r : reactors) cumulative += cells(*r).bucket(b);
    h.histogram.bucket.push_back({cumulative, b < kLatencyBuckets.size()
                                                  ? kLatencyBuckets[b]
                                                  : std::numeric_limits<double>::infinity()});
  }
  h.histogram.sample_count = cumulative;
  double total = 0;
  for (const auto& r : reactors) total += cells(*r).sum_seconds();
  h.histogram.sample_sum = total;
  return h;
}

}  // namespace

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

  std::lock_guard lock(mutex_);  // tenant names and reload state
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
  auto routing = family("alertgate_tenant_routing_total",
                        "What the tenant's home shard did with its alerts, by event: routed, "
                        "unrouted (no rule), deduplicated (re-sent, nothing new), inhibited, "
                        "muted (flushes held by mute_when), expired (resolved by endsAt), "
                        "dropped_active_limit, notifications, notified_alerts.",
                        MetricType::Counter);
  auto active = family("alertgate_tenant_active_alerts",
                       "Firing alerts in the tenant's active-alert table.", MetricType::Gauge);
  auto groups = family("alertgate_tenant_groups",
                       "Alert groups of the tenant waiting or repeating.", MetricType::Gauge);
  auto dead = family("alertgate_dead_letters_total",
                     "Notifications that ended in the dead-letter store (final 4xx or retries "
                     "used up), by tenant and destination type.",
                     MetricType::Counter);
  auto tenant_reloads = family("alertgate_tenant_config_reloads_total",
                               "Reloads that applied a changed tenant policy, or refused one "
                               "(the tenant kept its previous policy).",
                               MetricType::Counter);
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
    for (std::size_t e = 0; e < kRouteEventCount; ++e) {
      routing.metric.push_back(counter(
          {{"event", std::string(to_string(static_cast<RouteEvent>(e)))}, {"tenant", tenant}},
          sum([&](const ReactorMetrics& r) { return r.tenant(t).routing[e].get(); })));
    }
    active.metric.push_back(gauge({{"tenant", tenant}}, sum([&](const ReactorMetrics& r) {
                                    return r.tenant(t).active_alerts.get();
                                  })));
    groups.metric.push_back(gauge({{"tenant", tenant}}, sum([&](const ReactorMetrics& r) {
                                    return r.tenant(t).groups.get();
                                  })));
    for (std::size_t d = 0; d < kDestinationTypeCount; ++d) {
      const double v =
          sum([&](const ReactorMetrics& r) { return r.tenant(t).dead_letters[d].get(); });
      if (v == 0) continue;
      dead.metric.push_back(
          counter({{"destination_type", std::string(to_string(static_cast<DestinationType>(d)))},
                   {"tenant", tenant}},
                  v));
    }
    tenant_reloads.metric.push_back(counter({{"result", "applied"}, {"tenant", tenant}},
                                            static_cast<double>(tenant_reloads_[t].applied)));
    tenant_reloads.metric.push_back(counter({{"result", "refused"}, {"tenant", tenant}},
                                            static_cast<double>(tenant_reloads_[t].refused)));
  }
  out.push_back(std::move(received));
  out.push_back(std::move(rejected));
  out.push_back(std::move(notifications));
  out.push_back(std::move(throttled));
  out.push_back(std::move(depth));
  out.push_back(std::move(routing));
  out.push_back(std::move(active));
  out.push_back(std::move(groups));
  out.push_back(std::move(tenant_reloads));
  out.push_back(std::move(dead));
  {
    auto latency = family("alertgate_notification_latency_seconds",
                          "Time from a notification to its delivery (including retries), by "
                          "destination type.",
                          MetricType::Histogram);
    auto in_flight =
        family("alertgate_notifications_in_flight",
               "Requests to destinations in flight, by destination type.", MetricType::Gauge);
    for (std::size_t d = 0; d < kDestinationTypeCount; ++d) {
      const std::string type(to_string(static_cast<DestinationType>(d)));
      auto h = histogram({{"destination_type", type}}, reactors_,
                         [d](const ReactorMetrics& r) -> const HistogramCells& {
                           return r.notification_latency(d);
                         });
      latency.metric.push_back(std::move(h));
      in_flight.metric.push_back(
          gauge({{"destination_type", type}},
                sum([&](const ReactorMetrics& r) { return r.in_flight(d).get(); })));
    }
    out.push_back(std::move(latency));
    out.push_back(std::move(in_flight));
    auto circuit = family("alertgate_destination_circuit_open",
                          "1 while the destination's circuit breaker is open (deliveries wait or "
                          "go to the rule's fallback).",
                          MetricType::Gauge);
    for (const auto& b : breakers_) {
      circuit.metric.push_back(gauge({{"destination", b->destination}, {"tenant", b->tenant}},
                                     b->open.load(std::memory_order_relaxed)));
    }
    out.push_back(std::move(circuit));
  }
  {
    auto f = family("alertgate_config_last_reload_successful",
                    "1 when the last policy (re)load succeeded for every file.", MetricType::Gauge);
    f.metric.push_back(gauge({}, last_reload_ok_ ? 1 : 0));
    out.push_back(std::move(f));
    auto g = family("alertgate_config_last_reload_success_timestamp_seconds",
                    "Unix time of the last fully successful policy (re)load.", MetricType::Gauge);
    g.metric.push_back(gauge({}, last_reload_success_seconds_));
    out.push_back(std::move(g));
    auto h = family("alertgate_config_reloads_total",
                    "Policy reloads, by result (failure: at least one file was refused).",
                    MetricType::Counter);
    h.metric.push_back(counter({{"result", "success"}}, static_cast<double>(reloads_ok_)));
    h.metric.push_back(counter({{"result", "failure"}}, static_cast<double>(reloads_failed_)));
    out.push_back(std::move(h));
  }

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
    auto h = histogram(
        {{"path", path}}, reactors_,
        [e](const ReactorMetrics& r) -> const HistogramCells& { return r.endpoint(e).duration; });
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
  if (storage_) {
    const StorageStats st = storage_();
    auto one = [&](const char* name, const char* help, MetricType type, std::uint64_t v) {
      auto f = family(name, help, type);
      f.metric.push_back(type == MetricType::Counter ? counter({}, static_cast<double>(v))
                                                     : gauge({}, static_cast<double>(v)));
      out.push_back(std::move(f));
    };
    if (st.wal) {
      one("alertgate_wal_appended_total",
          "Alert records written and synced to the write-ahead log.", MetricType::Counter,
          st.wal_appended);
      one("alertgate_wal_append_failures_total",
          "Appends that failed (the request got 503 log_unavailable).", MetricType::Counter,
          st.wal_append_failures);
      one("alertgate_wal_commits_total", "Group commits (one fdatasync each).", MetricType::Counter,
          st.wal_commits);
      one("alertgate_wal_written_bytes_total", "Bytes written to the write-ahead log.",
          MetricType::Counter, st.wal_bytes_written);
      one("alertgate_wal_segments", "Write-ahead log segment files on disk.", MetricType::Gauge,
          st.wal_segments);
      one("alertgate_wal_compactions_total",
          "Segments compacted away (their live records copied forward).", MetricType::Counter,
          st.wal_compactions);
      one("alertgate_wal_compacted_records_total", "Alert records copied forward by compaction.",
          MetricType::Counter, st.wal_records_moved);
      one("alertgate_wal_io_errors_total", "Write or sync errors of the write-ahead log.",
          MetricType::Counter, st.wal_io_errors);
      auto repairs = family("alertgate_wal_repairs_total",
                            "Damage found by replay: torn tails truncated, segments quarantined.",
                            MetricType::Counter);
      repairs.metric.push_back(
          counter({{"action", "truncated"}}, static_cast<double>(st.wal_tails_truncated)));
      repairs.metric.push_back(
          counter({{"action", "quarantined"}}, static_cast<double>(st.wal_segments_quarantined)));
      out.push_back(std::move(repairs));
    }
    if (st.kafka) {
      one("alertgate_kafka_up", "1 while a Kafka broker answers the producer.", MetricType::Gauge,
          st.kafka_up ? 1 : 0);
      auto f =
          family("alertgate_kafka_messages_total",
                 "Kafka messages by delivery report: delivered or failed.", MetricType::Counter);
      f.metric.push_back(
          counter({{"outcome", "delivered"}}, static_cast<double>(st.kafka_delivered)));
      f.metric.push_back(counter({{"outcome", "failed"}}, static_cast<double>(st.kafka_failed)));
      out.push_back(std::move(f));
      one("alertgate_kafka_messages_in_flight", "Kafka messages produced, report not yet back.",
          MetricType::Gauge, st.kafka_in_flight);
    }
    if (st.kafka_forwarder) {
      one("alertgate_kafka_forward_pending",
          "Acknowledged alerts in the write-ahead log not yet in Kafka (ingest, durability wal).",
          MetricType::Gauge, st.kafka_forward_pending);
      one("alertgate_kafka_forward_retries_total",
          "Logged alerts produced again after a failed delivery report.", MetricType::Counter,
          st.kafka_forward_retries);
      one("alertgate_kafka_forward_dead_lettered_total",
          "Logged alerts Kafka refused for good (dead-lettered with the reason).",
          MetricType::Counter, st.kafka_forward_dead_lettered);
    }
    if (st.consumer) {
      one("alertgate_kafka_consumer_assigned",
          "1 once the router joined its consumer group and got an assignment.", MetricType::Gauge,
          st.consumer_assigned ? 1 : 0);
      auto lag = family("alertgate_kafka_consumer_lag",
                        "Messages of a partition not yet committed (high watermark - committed).",
                        MetricType::Gauge);
      for (const auto& p : st.consumer_lag) {
        if (p.lag < 0) continue;
        lag.metric.push_back(gauge({{"partition", std::to_string(p.partition)}, {"topic", p.topic}},
                                   static_cast<double>(p.lag)));
      }
      out.push_back(std::move(lag));
    }
    one("alertgate_dead_letters_stored", "Dead letters in the store (data_dir/deadletters/).",
        MetricType::Gauge, st.dead_letters_stored);
    one("alertgate_dead_letter_write_errors_total",
        "Dead letters that could not be written or removed on disk.", MetricType::Counter,
        st.dead_letter_write_errors);
  }
  return prometheus::TextSerializer().Serialize(out);
}

}  // namespace alertgate
