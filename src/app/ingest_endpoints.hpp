// IngestEndpoints: the three alert-ingest paths of one reactor. For each request:
// content type → credential → decode → rate → submit to the tenant's home shard → answer.
// Thread: the reactor's; owns the reactor's reused alert batch.
#pragma once

#include <optional>
#include <vector>

#include "alertgate/decode.hpp"
#include "alertgate/http_server.hpp"
#include "alertgate/metrics.hpp"
#include "alertgate/policy_snapshot.hpp"
#include "alertgate/rate_limiter.hpp"
#include "alertgate/rating.hpp"
#include "alertgate/shard.hpp"
#include "alertgate/tenant_policy.hpp"
#include "alertgate/token_table.hpp"

namespace alertgate {

class IngestEndpoints {
 public:
  IngestEndpoints(const SnapshotHolder& snapshots, ShardSet& shards, RateLimiter& rate_limiter,
                  ReactorMetrics& metrics, DecodeLimits limits, RatingSettings rating,
                  std::uint64_t seed);

  // POST /api/v2/alerts: 200 (Alertmanager's answer) or 400 with the valid alerts kept.
  void alertmanager_v2(http::Request& req, http::Reply reply);
  // POST /v1/alerts: 202, or 400 with the valid alerts kept.
  void native(http::Request& req, http::Reply reply);
  // POST /v2/enqueue: 202 PagerDuty-style, 400 PagerDuty-style "invalid event".
  void pagerduty(http::Request& req, http::Reply reply);

 private:
  void ingest_batch(http::Request& req, http::Reply reply, SourceFormat format);
  // Enriches the decoded batch, applies the tenant's limits and hands it to the home shard.
  // nullopt when accepted, else the 429 to answer (the refusal is counted).
  std::optional<http::Response> submit(const PolicySnapshot::Tenant& tenant, TenantIndex index,
                                       std::string_view traceparent);

  SnapshotView snapshots_;
  ShardSet& shards_;
  RateLimiter& rate_limiter_;
  ReactorMetrics& metrics_;
  Decoder decoder_;
  Enricher enricher_;
  std::vector<Alert> batch_;
};

}  // namespace alertgate
