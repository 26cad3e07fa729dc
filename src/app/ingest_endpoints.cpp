#include "ingest_endpoints.hpp"

#include <fmt/format.h>

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

}  // namespace

IngestEndpoints::IngestEndpoints(const TenantDirectory& tenants, ShardSet& shards,
                                 ReactorMetrics& metrics, DecodeLimits limits,
                                 RatingSettings rating, std::uint64_t seed)
    : tenants_(tenants),
      shards_(shards),
      metrics_(metrics),
      decoder_(limits),
      enricher_(rating, seed) {}

bool IngestEndpoints::submit(TenantIndex tenant, std::string_view traceparent) {
  const TimePoint received = now();
  const std::string& trace = enricher_.trace_for(traceparent);
  const std::string& tenant_id = tenants_.tenants[tenant].tenant_id;
  for (auto& a : batch_) enricher_.enrich(a, tenant_id, received, trace);
  return shards_.submit(tenant, batch_) == ShardSet::Submit::ok;
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
  const auto tenant = tenants_.tokens.find(*token);
  if (!tenant) return reply.send(unauthorized("unknown bearer token"));
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
  if (accepted != 0 && !submit(*tenant, traceparent(req))) {
    cells.rejected[static_cast<std::size_t>(RejectReason::queue_full)].add(accepted);
    return reply.send(queue_full_response());
  }
  cells.received[static_cast<std::size_t>(format)].add(accepted);

  std::string body;
  body.reserve(64);
  fmt::format_to(std::back_inserter(body), "{{\"accepted\":{},\"rejected\":{},", accepted,
                 report.rejected);
  append_errors(body, report.errors);
  body.push_back('}');
  const unsigned ok_status = format == SourceFormat::alertmanager_v2 ? 200 : 202;
  reply.send(http::json_response(report.errors.empty() ? ok_status : 400, std::move(body)));
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
  const auto tenant = tenants_.tokens.find(credential);
  if (!tenant) return reply.send(unauthorized("unknown routing_key"));
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
  if (!batch_.empty() && !submit(*tenant, traceparent(req))) {
    cells.rejected[static_cast<std::size_t>(RejectReason::queue_full)].add(batch_.size());
    return reply.send(queue_full_response());
  }
  cells.received[static_cast<std::size_t>(SourceFormat::pagerduty)].add(batch_.size());
  std::string body = "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":";
  append_json_string(body, dedup_key);
  body.push_back('}');
  reply.send(http::json_response(202, std::move(body)));
}

}  // namespace alertgate
