#include "ingest_endpoints.hpp"

#include <atomic>
#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include <algorithm>

#include <boost/beast/http/field.hpp>

#include "alertgate/json_text.hpp"

namespace alertgate {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t kMaxErrorsShown = 100;

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// application/json (any parameters) or no Content-Type at all.
bool json_content_type(const http::Request& req) {
  const auto it = req.find(bhttp::field::content_type);
  if (it == req.end()) return true;
  const std::string_view ct = it->value();
  if (!iequals_prefix(ct, "application/json")) return false;
  return ct.size() == 16 || ct[16] == ';' || ct[16] == ' ';
}

std::string_view header(const http::Request& req, bhttp::field f) {
  const auto it = req.find(f);
  return it == req.end() ? std::string_view{} : std::string_view(it->value());
}

std::string_view traceparent(const http::Request& req) {
  const auto it = req.find("traceparent");
  return it == req.end() ? std::string_view{} : std::string_view(it->value());
}

void append_errors(std::string& out, const std::vector<DecodeError>& errors) {
  out.append("\"errors\":[");
  const std::size_t shown = std::min(errors.size(), kMaxErrorsShown);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& e = errors[i];
    if (i != 0) out.push_back(',');
    out.append("{\"index\":");
    if (e.index == DecodeError::kBodyError) {
      out.append("null");
    } else {
      fmt::format_to(std::back_inserter(out), "{}", e.index);
    }
    fmt::format_to(std::back_inserter(out), ",\"offset\":{},\"message\":", e.offset);
    append_json_string(out, e.message);
    out.push_back('}');
  }
  out.push_back(']');
  if (errors.size() > shown) {
    fmt::format_to(std::back_inserter(out), ",\"errors_omitted\":{}", errors.size() - shown);
  }
}

http::Response unsupported_media_type(const http::Request& req) {
  return http::json_error(415, "unsupported_media_type",
                          "Content-Type must be application/json, got \"" +
                              std::string(header(req, bhttp::field::content_type)) + "\"");
}

http::Response unauthorized(std::string_view message) {
  auto res = http::json_error(401, "unauthorized", message);
  res.set(bhttp::field::www_authenticate, "Bearer realm=\"alertgate\"");
  return res;
}

http::Response queue_full_response() {
  auto res = http::json_error(429, "queue_full",
                              "the tenant's queue is full; nothing was accepted, retry later");
  res.set(bhttp::field::retry_after, "1");
  return res;
}

http::Response too_many(std::string_view error, std::string_view message,
                        std::chrono::nanoseconds retry_after) {
  auto res = http::json_error(429, error, message);
  const auto seconds =
      std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(retry_after).count());
  res.set(bhttp::field::retry_after, std::to_string(seconds));
  return res;
}

// Static labels of the tenant's `enrich:`; an alert's own label of the same name wins.
void add_enrich_labels(Alert& a, const LabelSet& labels) {
  for (const Label& l : labels) {
    if (find_label(a.labels, l.name) == nullptr) set_label(a.labels, l.name, l.value);
  }
}

}  // namespace

IngestEndpoints::IngestEndpoints(const SnapshotHolder& snapshots, ShardSet& shards,
                                 RateLimiter& rate_limiter, ReactorMetrics& metrics,
                                 DecodeLimits limits, RatingSettings rating, std::uint64_t seed,
                                 boost::asio::io_context& io, wal::WalWriter* wal)
    : snapshots_(snapshots),
      shards_(shards),
      rate_limiter_(rate_limiter),
      metrics_(metrics),
      decoder_(limits),
      enricher_(rating, seed),
      io_(io),
      wal_(wal) {}

std::optional<http::Response> IngestEndpoints::admit(const PolicySnapshot::Tenant& tenant,
                                                     TenantIndex index,
                                                     std::string_view traceparent) {
  auto& cells = metrics_.tenant(index);
  auto refuse = [&](RejectReason reason, http::Response res) {
    cells.rejected[static_cast<std::size_t>(reason)].add(batch_.size());
    return std::optional<http::Response>(std::move(res));
  };
  const TimePoint received = now();
  const EffectiveLimits& limits = tenant.limits;
  // The active-alert check first: a refused batch must not use up rate tokens.
  const bool any_firing = std::any_of(batch_.begin(), batch_.end(), [&](const Alert& a) {
    return a.ends_at == TimePoint{} || a.ends_at > received;
  });
  if (any_firing && shards_.active_alerts(index) >= limits.max_active_alerts) {
    return refuse(RejectReason::active_limit,
                  too_many("active_limit",
                           "the tenant has max_active_alerts firing alerts; new firing alerts "
                           "are refused until some resolve",
                           std::chrono::seconds(30)));
  }
  const auto rate =
      rate_limiter_.try_take(index, batch_.size(), limits.rate, limits.burst, received);
  if (!rate.allowed) {
    return refuse(RejectReason::rate_limited,
                  too_many("rate_limited",
                           rate.never ? "the batch holds more alerts than the tenant's burst; "
                                        "send smaller batches"
                                      : "the tenant's rate limit is exceeded; nothing was "
                                        "accepted, retry later",
                           rate.retry_after));
  }
  const std::string& trace = enricher_.trace_for(traceparent);
  const TenantPolicy& policy = *tenant.policy;
  for (auto& a : batch_) {
    if (!policy.enrich_labels.empty()) add_enrich_labels(a, policy.enrich_labels);
    enricher_.enrich(a, policy.tenant_id, received, trace);
  }
  return std::nullopt;
}

void IngestEndpoints::accept(const PolicySnapshot::Tenant& tenant, TenantIndex index,
                             std::string_view traceparent, SourceFormat format, http::Reply reply,
                             http::Response ok) {
  auto& cells = metrics_.tenant(index);
  if (!batch_.empty()) {
    if (auto refused = admit(tenant, index, traceparent)) return reply.send(std::move(*refused));
    if (wal_ != nullptr) return accept_durably(index, format, std::move(reply), std::move(ok));
    if (producer_ != nullptr)
      return accept_to_kafka(index, format, std::move(reply), std::move(ok));
    if (shards_.submit(index, batch_) != ShardSet::Submit::ok) {
      cells.rejected[static_cast<std::size_t>(RejectReason::queue_full)].add(batch_.size());
      return reply.send(queue_full_response());
    }
  }
  cells.received[static_cast<std::size_t>(format)].add(batch_.size());
  reply.send(std::move(ok));
}

namespace {

// One request's alerts on their way through the write-ahead log. The WAL thread counts
// the syncs down; the last one posts the rest back to the request's reactor.
struct DurableBatch {
  std::vector<Alert> alerts;
  std::vector<std::uint64_t> segments;
  http::Reply reply;
  http::Response ok;
  // Counted down by the callbacks (the WAL thread; after stop() the caller's): the
  // decrement that reaches 0 sees every earlier write, including `error`.
  std::atomic<std::size_t> remaining{0};
  std::error_code error;  // the first failure; empty when every record was synced
  std::atomic_flag error_set = ATOMIC_FLAG_INIT;

  DurableBatch(std::vector<Alert> a, http::Reply r, http::Response o)
      : alerts(std::move(a)), segments(alerts.size()), reply(std::move(r)), ok(std::move(o)) {}
};

http::Response kafka_unavailable(const std::string& reason) {
  auto res = http::json_error(503, "kafka_unavailable",
                              "Kafka did not take every alert (" + reason +
                                  "); retry the request (a repeat is deduplicated by key)");
  res.set(bhttp::field::retry_after, "1");
  return res;
}

http::Response log_unavailable(const std::error_code& ec) {
  auto res = http::json_error(503, "log_unavailable",
                              "the write-ahead log cannot store alerts (" + ec.message() +
                                  "); nothing was accepted, retry later");
  res.set(bhttp::field::retry_after, "1");
  return res;
}

}  // namespace

void IngestEndpoints::accept_durably(TenantIndex index, SourceFormat format, http::Reply reply,
                                     http::Response ok) {
  auto& cells = metrics_.tenant(index);
  if (!wal_->healthy()) {
    // Nothing is acknowledged that is not durable: refuse before logging anything.
    cells.rejected[static_cast<std::size_t>(RejectReason::log_unavailable)].add(batch_.size());
    return reply.send(log_unavailable(wal_->last_error()));
  }
  if (forwarder_ != nullptr && !forwarder_->has_room(batch_.size())) {
    // mode: ingest: as many alerts as the producer's queue holds already wait for Kafka.
    cells.rejected[static_cast<std::size_t>(RejectReason::kafka_unavailable)].add(batch_.size());
    return reply.send(kafka_unavailable(
        fmt::format("{} accepted alerts are still waiting for the broker", forwarder_->pending())));
  }
  auto batch = std::make_shared<DurableBatch>(std::move(batch_), std::move(reply), std::move(ok));
  batch_.clear();  // moved-from: give the reactor a valid empty batch again
  batch->remaining.store(batch->alerts.size(), std::memory_order_relaxed);
  for (std::size_t i = 0; i < batch->alerts.size(); ++i) {
    wal_->append(batch->alerts[i], [this, batch, i, index, format](std::error_code ec,
                                                                   wal::WalTicket ticket) {
      batch->segments[i] = ticket.segment;
      if (ec && !batch->error_set.test_and_set()) batch->error = ec;
      if (batch->remaining.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
      boost::asio::post(io_, [this, batch, index, format] {
        auto& c = metrics_.tenant(index);
        const std::size_t n = batch->alerts.size();
        if (batch->error) {
          // Some records may be in the log: they are replayed by the next start, which
          // is at-least-once; the client was told to retry.
          for (std::size_t k = 0; k < n; ++k) {
            if (batch->segments[k] != 0) {
              wal_->complete(wal::WalTicket{batch->segments[k]}, batch->alerts[k].alert_id);
            }
          }
          c.rejected[static_cast<std::size_t>(RejectReason::log_unavailable)].add(n);
          return batch->reply.send(log_unavailable(batch->error));
        }
        for (std::size_t k = 0; k < n; ++k) {
          batch->alerts[k].wal_segment = batch->segments[k];
          batch->alerts[k].wal_shard = wal_->shard();
        }
        if (forwarder_ != nullptr) {
          // The records stay until the broker's report: the answer need not wait for it.
          forwarder_->forward(batch->alerts);
        } else if (shards_.submit(index, batch->alerts) != ShardSet::Submit::ok) {
          for (std::size_t k = 0; k < n; ++k) {
            wal_->complete(wal::WalTicket{batch->segments[k]}, batch->alerts[k].alert_id);
          }
          c.rejected[static_cast<std::size_t>(RejectReason::queue_full)].add(n);
          return batch->reply.send(queue_full_response());
        }
        c.received[static_cast<std::size_t>(format)].add(n);
        batch->reply.send(std::move(batch->ok));
      });
    });
  }
}

namespace {

// One request's alerts on their way to Kafka (durability: kafka): the last delivery report
// posts the answer back to the request's reactor.
struct KafkaBatch {
  std::vector<Alert> alerts;
  http::Reply reply;
  http::Response ok;
  std::atomic<std::size_t> remaining{0};
  std::string error;  // the first failure; empty when every alert was delivered
  std::atomic_flag error_set = ATOMIC_FLAG_INIT;

  KafkaBatch(std::vector<Alert> a, http::Reply r, http::Response o)
      : alerts(std::move(a)), reply(std::move(r)), ok(std::move(o)) {}
};

}  // namespace

void IngestEndpoints::accept_to_kafka(TenantIndex index, SourceFormat format, http::Reply reply,
                                      http::Response ok) {
  auto& cells = metrics_.tenant(index);
  if (!wait_for_broker_) {
    // durability: memory: acknowledged once produced; failures are counted by the producer.
    producer_->produce(batch_, [](std::size_t, const kafka::DeliveryReport&) {});
    cells.received[static_cast<std::size_t>(format)].add(batch_.size());
    return reply.send(std::move(ok));
  }
  auto batch = std::make_shared<KafkaBatch>(std::move(batch_), std::move(reply), std::move(ok));
  batch_.clear();  // moved-from: give the reactor a valid empty batch again
  batch->remaining.store(batch->alerts.size(), std::memory_order_relaxed);
  producer_->produce(
      batch->alerts, [this, batch, index, format](std::size_t, const kafka::DeliveryReport& r) {
        if (!r.delivered && !batch->error_set.test_and_set()) batch->error = r.reason;
        if (batch->remaining.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        boost::asio::post(io_, [this, batch, index, format] {
          auto& c = metrics_.tenant(index);
          const std::size_t n = batch->alerts.size();
          if (!batch->error.empty()) {
            c.rejected[static_cast<std::size_t>(RejectReason::kafka_unavailable)].add(n);
            return batch->reply.send(kafka_unavailable(batch->error));
          }
          c.received[static_cast<std::size_t>(format)].add(n);
          batch->reply.send(std::move(batch->ok));
        });
      });
}

void IngestEndpoints::alertmanager_v2(http::Request& req, http::Reply reply) {
  ingest_batch(req, std::move(reply), SourceFormat::alertmanager_v2);
}

void IngestEndpoints::native(http::Request& req, http::Reply reply) {
  ingest_batch(req, std::move(reply), SourceFormat::native);
}

void IngestEndpoints::ingest_batch(http::Request& req, http::Reply reply, SourceFormat format) {
  if (!json_content_type(req)) return reply.send(unsupported_media_type(req));
  const auto token = bearer_token(header(req, bhttp::field::authorization));
  if (!token) return reply.send(unauthorized("missing bearer token (Authorization: Bearer …)"));
  const PolicySnapshot& snapshot = snapshots_.current();
  const auto tenant = snapshot.tokens.find(*token);
  if (!tenant) return reply.send(unauthorized("unknown bearer token"));
  const PolicySnapshot::Tenant& entry = *snapshot.find(*tenant);
  if (shards_.queue_full(*tenant)) {
    // Refuse before decoding: under overload, work spent on a batch we cannot queue
    // would only slow the shard that is draining.
    metrics_.tenant(*tenant).throttled_requests.add();
    return reply.send(queue_full_response());
  }

  batch_.clear();
  const DecodeReport report = format == SourceFormat::alertmanager_v2
                                  ? decoder_.alertmanager_v2(req.body(), now(), batch_)
                                  : decoder_.native(req.body(), now(), batch_);
  auto& cells = metrics_.tenant(*tenant);
  cells.rejected[static_cast<std::size_t>(RejectReason::invalid)].add(report.rejected);
  const std::size_t accepted = batch_.size();

  std::string body;
  body.reserve(64);
  fmt::format_to(std::back_inserter(body), "{{\"accepted\":{},\"rejected\":{},", accepted,
                 report.rejected);
  append_errors(body, report.errors);
  body.push_back('}');
  const unsigned ok_status = format == SourceFormat::alertmanager_v2 ? 200 : 202;
  accept(entry, *tenant, traceparent(req), format, std::move(reply),
         http::json_response(report.errors.empty() ? ok_status : 400, std::move(body)));
}

void IngestEndpoints::pagerduty(http::Request& req, http::Reply reply) {
  if (!json_content_type(req)) return reply.send(unsupported_media_type(req));
  batch_.clear();
  PagerDutyReport pd = decoder_.pagerduty(req.body(), now(), batch_);

  // The credential is the routing key (PagerDuty clients send no Authorization header);
  // a bearer token, when present, is checked instead.
  const auto bearer = bearer_token(header(req, bhttp::field::authorization));
  const std::string_view credential = bearer ? *bearer : std::string_view(pd.routing_key);
  if (credential.empty()) return reply.send(unauthorized("missing routing_key"));
  const PolicySnapshot& snapshot = snapshots_.current();
  const auto tenant = snapshot.tokens.find(credential);
  if (!tenant) return reply.send(unauthorized("unknown routing_key"));
  const PolicySnapshot::Tenant& entry = *snapshot.find(*tenant);
  auto& cells = metrics_.tenant(*tenant);

  if (!pd.report.errors.empty()) {
    cells.rejected[static_cast<std::size_t>(RejectReason::invalid)].add(1);
    std::string body = "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",";
    append_errors(body, pd.report.errors);
    body.push_back('}');
    return reply.send(http::json_response(400, std::move(body)));
  }
  std::string dedup_key = pd.dedup_key;
  if (dedup_key.empty() && !batch_.empty()) {
    // PagerDuty generates a key for a trigger without one; ours is unique per event and
    // lets the client resolve it later.
    dedup_key = enricher_.next_id(now());
    batch_.front().dedup_key = dedup_key;
    set_label(batch_.front().labels, "dedup_key", dedup_key);
  }
  std::string body = "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":";
  append_json_string(body, dedup_key);
  body.push_back('}');
  accept(entry, *tenant, traceparent(req), SourceFormat::pagerduty, std::move(reply),
         http::json_response(202, std::move(body)));
}

}  // namespace alertgate
