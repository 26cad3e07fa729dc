// Fixtures of the destination format tests: one firing HighCPU alert (the README's example),
// a resolved one, and notifications built from them. Fixed times, fixed keys.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "alertgate/destination_format.hpp"

namespace format_test {

using namespace alertgate;

// 2026-08-20T10:00:00Z
inline const TimePoint kNow = TimePoint(std::chrono::seconds(1'787'220'000));

inline const Rule& test_rule() {
  static const Rule r = [] {
    Rule rule;
    rule.key = 0x0123456789abcdefULL;
    return rule;
  }();
  return r;
}

inline Alert alert(LabelSet labels, LabelSet annotations = {}, std::uint8_t rating = 92,
                   AlertStatus status = AlertStatus::firing) {
  Alert a;
  sort_labels(labels);
  sort_labels(annotations);
  a.labels = std::move(labels);
  a.annotations = std::move(annotations);
  a.rating = rating;
  a.status = status;
  a.severity = Severity::critical;
  a.starts_at = kNow - std::chrono::minutes(5);
  a.ends_at = status == AlertStatus::firing ? TimePoint{} : kNow;
  a.fingerprint = 0xc1f2e3d4a5b6c7d8ULL;
  a.generator_url = "http://prom:9090/graph?g0.expr=up";
  return a;
}

inline Alert high_cpu(std::string instance = "db1", std::uint8_t rating = 92,
                      AlertStatus status = AlertStatus::firing) {
  return alert({{"alertname", "HighCPU"}, {"severity", "critical"}, {"instance", instance}},
               {{"summary", "CPU > 90%"}}, rating, status);
}

// Alerts must be given firing first.
inline Notification notification(std::vector<Alert> alerts,
                                 LabelSet group_labels = {{"alertname", "HighCPU"}}) {
  Notification n;
  n.rule = &test_rule();
  n.group_key = 0xfedcba9876543210ULL;
  n.group_labels = std::move(group_labels);
  for (const Alert& a : alerts) n.firing += a.status == AlertStatus::firing ? 1 : 0;
  n.alerts = std::move(alerts);
  n.at = kNow;
  return n;
}

inline FormatContext context() {
  FormatContext ctx;
  ctx.tenant_id = "t42";
  ctx.external_url = "https://gw.example.com";
  ctx.mail_from = "alertgate@example.com";
  ctx.now = kNow;
  return ctx;
}

inline Destination destination(DestinationType type, std::string name = "db-pager") {
  Destination d;
  d.type = type;
  d.name = std::move(name);
  return d;
}

inline Template tmpl(std::string_view text) {
  auto t = Template::parse(text);
  if (!t) FAIL(t.error());
  return std::move(*t);
}

inline std::string header(const HttpRequestSpec& spec, std::string_view name) {
  for (const auto& [k, v] : spec.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

}  // namespace format_test
