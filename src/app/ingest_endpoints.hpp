// IngestEndpoints: the three alert-ingest paths of one reactor. For each request:
// content type → credential → decode → rate → submit to the tenant's home shard → answer.
// Thread: the reactor's; owns the reactor's reused alert batch.
#pragma once

#include <boost/asio/io_context.hpp>
#include <optional>
#include <vector>

#include "alertgate/decode.hpp"
#include "alertgate/http_server.hpp"
#include "alertgate/kafka/kafka_producer.hpp"
#include "alertgate/kafka/wal_forwarder.hpp"
#include "alertgate/metrics.hpp"
#include "alertgate/policy_snapshot.hpp"
#include "alertgate/rate_limiter.hpp"
#include "alertgate/rating.hpp"
#include "alertgate/shard.hpp"
#include "alertgate/tenant_policy.hpp"
#include "alertgate/token_table.hpp"
#include "alertgate/wal/wal_writer.hpp"

namespace alertgate {

class IngestEndpoints {
 public:
  // `wal` (durability: wal): the reactor's write-ahead log; accepted alerts are answered
  // only after it synced them, and go to their shard then. Null: durability: memory.
  IngestEndpoints(const SnapshotHolder& snapshots, ShardSet& shards, RateLimiter& rate_limiter,
                  ReactorMetrics& metrics, DecodeLimits limits, RatingSettings rating,
                  std::uint64_t seed, boost::asio::io_context& io, wal::WalWriter* wal = nullptr);

  // mode: ingest: accepted alerts go to their tenant's Kafka topic instead of a shard. With
  // `wait_for_broker` (durability: kafka) the answer waits for every delivery report and
  // is 503 kafka_unavailable if one failed; with a WAL (durability: wal) it is sent once
  // logged and `logged` produces the alerts, keeping each record until Kafka has it (503
  // kafka_unavailable while it holds its maximum); else (memory) it is sent once produced.
  void forward_to(kafka::Producer* producer, bool wait_for_broker,
                  kafka::WalForwarder* logged = nullptr) {
    producer_ = producer;
    wait_for_broker_ = wait_for_broker;
    forwarder_ = logged;
  }

  // POST /api/v2/alerts: 200 (Alertmanager's answer) or 400 with the valid alerts kept.
  void alertmanager_v2(http::Request& req, http::Reply reply);
  // POST /v1/alerts: 202, or 400 with the valid alerts kept.
  void native(http::Request& req, http::Reply reply);
  // POST /v2/enqueue: 202 PagerDuty-style, 400 PagerDuty-style "invalid event".
  void pagerduty(http::Request& req, http::Reply reply);

 private:
  void ingest_batch(http::Request& req, http::Reply reply, SourceFormat format);
  // Applies the tenant's limits to the decoded batch and enriches it. nullopt when it may
  // go on, else the 429 to answer (the refusal is counted).
  std::optional<http::Response> admit(const PolicySnapshot::Tenant& tenant, TenantIndex index,
                                      std::string_view traceparent);
  // admit(), then hands the batch to the home shard (with a WAL: once it is synced) and
  // answers `ok`, or the refusal. `format` counts the received alerts.
  void accept(const PolicySnapshot::Tenant& tenant, TenantIndex index, std::string_view traceparent,
              SourceFormat format, http::Reply reply, http::Response ok);
  // durability: wal: logs every alert of the batch, then (on this reactor) submits them --
  // or in mode: ingest forwards them to Kafka -- and answers.
  void accept_durably(TenantIndex index, SourceFormat format, http::Reply reply, http::Response ok);
  // mode: ingest: produces the batch to Kafka and answers (forward_to()).
  void accept_to_kafka(TenantIndex index, SourceFormat format, http::Reply reply,
                       http::Response ok);

  SnapshotView snapshots_;
  ShardSet& shards_;
  RateLimiter& rate_limiter_;
  ReactorMetrics& metrics_;
  Decoder decoder_;
  Enricher enricher_;
  std::vector<Alert> batch_;
  boost::asio::io_context& io_;
  wal::WalWriter* wal_;
  kafka::Producer* producer_ = nullptr;
  bool wait_for_broker_ = false;
  kafka::WalForwarder* forwarder_ = nullptr;
};

}  // namespace alertgate
