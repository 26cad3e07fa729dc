#include "dead_letter_admin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <charconv>
#include <variant>

#include "admin_endpoints.hpp"
#include "alertgate/alert_json.hpp"
#include "alertgate/json_text.hpp"
#include "alertgate/log.hpp"

namespace alertgate {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded value: %XX and '+'. nullopt on a broken escape.
std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

struct Query {
  wal::DeadLetterFilter filter;
  std::size_t limit = 100;
  bool all = false;
};

// Reads tenant, destination, id, limit (and all) from the target; an error names the bad
// parameter.
std::variant<Query, http::Response> parse_query(std::string_view target, std::size_t max_limit) {
  Query q;
  auto bad = [](std::string message) { return http::json_error(400, "bad_request", message); };
  for (auto [name, out] : {std::pair{"tenant", &q.filter.tenant_id},
                           std::pair{"destination", &q.filter.destination}}) {
    auto value = percent_decode(query_param(target, name));
    if (!value) return bad(std::string(name) + ": broken %-escape");
    *out = std::move(*value);
  }
  auto number = [](std::string_view text, std::uint64_t& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
  };
  if (const std::string_view id = query_param(target, "id"); !id.empty()) {
    if (!number(id, q.filter.id) || q.filter.id == 0) return bad("id: expected a positive integer");
  }
  if (const std::string_view l = query_param(target, "limit"); !l.empty()) {
    std::uint64_t limit = 0;
    if (!number(l, limit) || limit == 0 || limit > max_limit) {
      return bad("limit: expected an integer 1.." + std::to_string(max_limit));
    }
    q.limit = static_cast<std::size_t>(limit);
  }
  const std::string_view all = query_param(target, "all");
  if (!all.empty() && all != "true" && all != "false") return bad("all: expected true or false");
  q.all = all == "true";
  return q;
}

// The rule and destination of the tenant's current policy a letter was for: the same
// rule (by its key) if it still exists, else any rule with that destination.
std::pair<const Rule*, const Destination*> locate(const TenantPolicy& p, const DeadLetter& d) {
  std::vector<const Rule*> rules;
  for (const Rule& r : p.rules) rules.push_back(&r);
  if (p.default_rule) rules.push_back(&*p.default_rule);
  std::stable_partition(rules.begin(), rules.end(),
                        [&](const Rule* r) { return r->key == d.rule_key; });
  for (const Rule* r : rules) {
    for (const Destination& dest : r->destinations) {
      if (dest.identity == d.destination_key) return {r, &dest};
    }
    if (r->fallback && r->fallback->identity == d.destination_key) {
      return {r, &*r->fallback};
    }
  }
  return {nullptr, nullptr};
}

}  // namespace

std::optional<std::string> DeadLetterAdmin::replay(DeadLetter letter) {
  const auto snapshot = snapshots_.load();
  const std::optional<TenantIndex> tenant = snapshot->index_of(letter.tenant_id);
  if (!tenant) return "tenant " + letter.tenant_id + " no longer exists";
  const auto& policy = snapshot->tenants[*tenant].policy;
  const auto [rule, dest] = locate(*policy, letter);
  if (rule == nullptr) {
    return "destination " + letter.destination + " is no longer in the tenant's policy";
  }
  Notification n;
  n.policy = policy;
  n.rule = rule;
  n.group_key = letter.group_key;
  n.group_labels = std::move(letter.group_labels);
  n.alerts = std::move(letter.alerts);
  std::stable_partition(n.alerts.begin(), n.alerts.end(),
                        [](const Alert& a) { return a.status == AlertStatus::firing; });
  n.firing =
      static_cast<std::size_t>(std::count_if(n.alerts.begin(), n.alerts.end(), [](const Alert& a) {
        return a.status == AlertStatus::firing;
      }));
  n.at = now();
  for (Alert& a : n.alerts) a.wal_segment = 0;
  const std::size_t shard = shards_.home_shard(*tenant);
  boost::asio::post(*reactors_[shard], [this, shard, t = *tenant, n = std::move(n), dest = dest,
                                        id = letter.id]() mutable {
    delivery_.redeliver(shard, t, std::move(n), *dest,
                        [this, id](bool finished) { store_.end_replay(id, finished); });
  });
  return std::nullopt;
}

http::Handler DeadLetterAdmin::list_handler() {
  return [this](http::Request& req, http::Reply reply) {
    if (auto refused = check_admin(req, *snapshots_.load())) return reply.send(std::move(*refused));
    auto q = parse_query(req.target(), 10'000);
    if (auto* err = std::get_if<http::Response>(&q)) return reply.send(std::move(*err));
    const Query& query = std::get<Query>(q);
    reply.send(
        http::json_response(200, to_json(store_.list(query.filter, query.limit), store_.stats())));
  };
}

http::Handler DeadLetterAdmin::replay_handler() {
  return [this](http::Request& req, http::Reply reply) {
    if (auto refused = check_admin(req, *snapshots_.load())) return reply.send(std::move(*refused));
    auto q = parse_query(req.target(), 10'000);
    if (auto* err = std::get_if<http::Response>(&q)) return reply.send(std::move(*err));
    const Query& query = std::get<Query>(q);
    std::string started = "[", skipped = "[";
    std::size_t replaying = 0;
    for (DeadLetter& letter : store_.begin_replay(query.filter, query.limit)) {
      const std::uint64_t id = letter.id;
      if (auto why = replay(std::move(letter))) {
        store_.end_replay(id, false);
        if (skipped.size() > 1) skipped.push_back(',');
        fmt::format_to(std::back_inserter(skipped), "{{\"id\":{},\"reason\":", id);
        append_json_string(skipped, *why);
        skipped.push_back('}');
        continue;
      }
      if (replaying++ != 0) started.push_back(',');
      started.append(std::to_string(id));
    }
    started.push_back(']');
    skipped.push_back(']');
    log::info("dead letters replayed", {{"replaying", replaying}});
    reply.send(http::json_response(replaying != 0 ? 202 : 200,
                                   "{\"replaying\":" + started + ",\"skipped\":" + skipped + "}"));
  };
}

http::Handler DeadLetterAdmin::purge_handler() {
  return [this](http::Request& req, http::Reply reply) {
    if (auto refused = check_admin(req, *snapshots_.load())) return reply.send(std::move(*refused));
    auto q = parse_query(req.target(), 10'000);
    if (auto* err = std::get_if<http::Response>(&q)) return reply.send(std::move(*err));
    const Query& query = std::get<Query>(q);
    const auto& f = query.filter;
    if (f.tenant_id.empty() && f.destination.empty() && f.id == 0 && !query.all) {
      return reply.send(http::json_error(
          400, "bad_request", "say what to purge: tenant, destination or id (or all=true)"));
    }
    const std::size_t purged = store_.purge(f);
    log::info("dead letters purged", {{"purged", purged}});
    reply.send(http::json_response(200, fmt::format("{{\"purged\":{}}}", purged)));
  };
}

std::string DeadLetterAdmin::to_json(const std::vector<wal::ListedDeadLetter>& letters,
                                     const wal::DeadLetterStats& stats) {
  std::string out = "{\"dead_letters\":[";
  for (std::size_t i = 0; i < letters.size(); ++i) {
    const DeadLetter& d = letters[i].letter;
    if (i != 0) out.push_back(',');
    fmt::format_to(std::back_inserter(out), "{{\"id\":{},\"tenant_id\":", d.id);
    append_json_string(out, d.tenant_id);
    out.append(",\"destination\":");
    append_json_string(out, d.destination);
    out.append(",\"destination_name\":");
    append_json_string(out, d.destination_name);
    out.append(",\"destination_type\":");
    append_json_string(out, d.destination_type);
    out.append(",\"reason\":");
    append_json_string(out, d.reason);
    fmt::format_to(std::back_inserter(out), ",\"attempts\":{},\"first_attempt\":\"", d.attempts);
    append_rfc3339(out, d.first_attempt);
    out.append("\",\"failed_at\":\"");
    append_rfc3339(out, d.failed_at);
    fmt::format_to(std::back_inserter(out), "\",\"replaying\":{},\"durable\":{},\"alerts\":[",
                   letters[i].replaying, letters[i].durable);
    for (std::size_t k = 0; k < d.alerts.size(); ++k) {
      if (k != 0) out.push_back(',');
      append_alert_json(out, d.alerts[k]);
    }
    out.append("]}");
  }
  fmt::format_to(std::back_inserter(out),
                 "],\"stored\":{},\"total\":{},\"evicted\":{},\"purged\":{},\"replayed\":{},"
                 "\"write_errors\":{}}}",
                 stats.stored, stats.added + stats.loaded, stats.evicted, stats.purged,
                 stats.replayed, stats.write_errors);
  return out;
}

}  // namespace alertgate
