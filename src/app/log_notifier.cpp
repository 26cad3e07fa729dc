#include "log_notifier.hpp"

#include "alertgate/log.hpp"

namespace alertgate {

namespace {

template <typename F>
void for_each_log_destination(const TenantPolicy& policy, F&& f) {
  for (const auto& rule : policy.rules) {
    for (const auto& d : rule.destinations) {
      if (d.type == DestinationType::log) f(d);
    }
  }
  if (policy.default_rule) {
    for (const auto& d : policy.default_rule->destinations) {
      if (d.type == DestinationType::log) f(d);
    }
  }
}

}  // namespace

std::optional<Error> LogNotifier::open(const TenantPolicy& policy) {
  std::optional<Error> result;
  for_each_log_destination(policy, [&](const Destination& d) {
    if (result || d.path.empty()) return;
    std::lock_guard lock(mutex_);
    if (files_.count(d.path) != 0) return;
    auto sink = LogSink::open(d.path);
    if (!sink) {
      result = Error{policy.file + ": tenant " + policy.tenant_id + ": " + sink.error().message};
      return;
    }
    files_.emplace(d.path, std::move(sink).value());
  });
  return result;
}

Sink& LogNotifier::sink_for(const Destination& d) {
  if (d.path.empty()) return stdout_;
  std::lock_guard lock(mutex_);
  const auto it = files_.find(d.path);
  return it == files_.end() ? static_cast<Sink&>(stdout_) : *it->second;
}

void LogNotifier::notify(std::size_t /*shard*/, TenantIndex tenant, Notification& n,
                         ReactorMetrics& metrics) {
  auto& counts =
      metrics.tenant(tenant).notifications[static_cast<std::size_t>(DestinationType::log)];
  auto count = [&counts](const SinkResult& r) {
    counts[static_cast<std::size_t>(r.outcome)].add();
    if (r.outcome != NotifyOutcome::delivered) {
      log::warn("log destination failed", {{"reason", r.reason}});
    }
  };
  const std::span<const Alert> alerts(n.alerts);
  bool delivered = false;
  if (n.rule != nullptr) {
    for (const auto& d : n.rule->destinations) {
      if (d.type != DestinationType::log) continue;
      count(sink_for(d).deliver(alerts));
      delivered = true;
    }
  }
  if (!delivered) count(stdout_.deliver(alerts));
}

}  // namespace alertgate
