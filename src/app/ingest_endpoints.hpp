// IngestEndpoints: the three alert-ingest paths of one reactor. For each request:
// content type → credential → decode → rate → submit to the tenant's home shard → answer.
// Thread: the reactor's; owns the reactor's reused alert batch.
#pragma once

#include <vector>

#include "alertgate/decode.hpp"
#include "alertgate/http_server.hpp"
#include "alertgate/metrics.hpp"
#include "alertgate/rating.hpp"
#include "alertgate/shard.hpp"
#include "alertgate/tenant_policy.hpp"
#include "alertgate/token_table.hpp"

namespace alertgate {

// Tenants and their credentials, immutable while the reactors run.
struct TenantDirectory {
  std::vector<TenantPolicy> tenants;  // index = TenantIndex
  TokenTable tokens;
};

class IngestEndpoints {
 public:
  IngestEndpoints(const TenantDirectory& tenants, ShardSet& shards, ReactorMetrics& metrics,
                  DecodeLimits limits, RatingSettings rating, std::uint64_t seed);

  // POST /api/v2/alerts: 200 (Alertmanager's answer) or 400 with the valid alerts kept.
  void alertmanager_v2(http::Request& req, http::Reply reply);
  // POST /v1/alerts: 202, or 400 with the valid alerts kept.
  void native(http::Request& req, http::Reply reply);
  // POST /v2/enqueue: 202 PagerDuty-style, 400 PagerDuty-style "invalid event".
  void pagerduty(http::Request& req, http::Reply reply);

 private:
  void ingest_batch(http::Request& req, http::Reply reply, SourceFormat format);
  // Rates the decoded batch and hands it to the home shard; false when the queue is full.
  bool submit(TenantIndex tenant, std::string_view traceparent);

  const TenantDirectory& tenants_;
  ShardSet& shards_;
  ReactorMetrics& metrics_;
  Decoder decoder_;
  Enricher enricher_;
  std::vector<Alert> batch_;
};

}  // namespace alertgate
