// Builders for the routing tests: policies and alerts in plain C++ (no YAML), an injected
// clock (plain TimePoints) and a dispatcher rig that collects notifications.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alertgate/dispatcher.hpp"
#include "alertgate/matcher.hpp"
#include "alertgate/rating.hpp"
#include "alertgate/tenant_policy.hpp"

namespace routing_test {

using namespace alertgate;
using namespace std::chrono_literals;

// Saturday 2026-06-06T00:00:00Z.
inline const TimePoint kSat = TimePoint(std::chrono::seconds(1'780'704'000));
// Thursday 2026-05-28T20:26:40Z.
inline const TimePoint kT0 = TimePoint(std::chrono::seconds(1'780'000'000));

inline std::vector<Matcher> matchers(std::string_view text) {
  auto m = parse_matchers(text);
  if (!m) FAIL(m.error());
  return std::move(*m);
}

inline Alert make_alert(LabelSet labels, Severity severity = Severity::warning,
                        AlertStatus status = AlertStatus::firing, TimePoint ends_at = {}) {
  Alert a;
  sort_labels(labels);
  a.labels = std::move(labels);
  a.severity = severity;
  a.status = status;
  a.ends_at = ends_at;
  a.fingerprint = fingerprint(a.labels);
  return a;
}

inline Alert resolved(Alert a) {
  a.status = AlertStatus::resolved;
  return a;
}

// A rule for `key` (must be unique per rule: the loader computes it from the content).
inline Rule make_rule(std::uint64_t key, std::vector<Severity> severities = {},
                      std::string_view match = "") {
  Rule r;
  r.key = key;
  r.severities = std::move(severities);
  r.match = matchers(match);
  Destination d;
  d.type = DestinationType::log;
  d.name = "log-" + std::to_string(key);
  r.destinations.push_back(d);
  return r;
}

inline Rule grouped(Rule r, std::vector<std::string> by) {
  r.grouping.enabled = true;
  if (by.size() == 1 && by[0] == "...")
    r.grouping.by_all = true;
  else
    r.grouping.by = std::move(by);
  return r;
}

inline std::shared_ptr<TenantPolicy> make_policy(std::vector<Rule> rules,
                                                 std::uint64_t content_hash = 1) {
  auto p = std::make_shared<TenantPolicy>();
  p->tenant_id = "t-1";
  p->rules = std::move(rules);
  p->content_hash = content_hash;
  return p;
}

struct Rig {
  explicit Rig(std::shared_ptr<const TenantPolicy> p, DispatcherSettings s = {})
      : d(std::move(p), s) {}

  // Ingests at `t`; returns the notifications it produced.
  std::vector<Notification> send(Alert a, TimePoint t) {
    std::vector<Notification> out;
    d.ingest(std::move(a), t, out);
    return out;
  }
  std::vector<Notification> advance(TimePoint t) {
    std::vector<Notification> out;
    d.advance(t, out);
    return out;
  }

  TenantDispatcher d;
};

inline std::string label(const Alert& a, std::string_view name) {
  const std::string* v = find_label(a.labels, name);
  return v ? *v : std::string();
}

}  // namespace routing_test
