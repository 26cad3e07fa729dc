#include "log_deliverer.hpp"

#include "alertgate/log.hpp"
#include "alertgate/route.hpp"

namespace alertgate {

namespace {
const Rule* match_rule(const TenantPolicy& policy, const Alert& alert) {
  thread_local std::vector<const Rule*> rules;
  return route(policy, alert, rules) == 0 ? nullptr : rules.front();
}
}  // namespace

Result<std::unique_ptr<LogDeliverer>> LogDeliverer::create(
    const std::vector<TenantPolicy>& tenants) {
  std::unique_ptr<LogDeliverer> d(new LogDeliverer(tenants));
  for (const auto& t : tenants) {
    for (const auto& rule : t.rules) {
      for (const auto& dest : rule.destinations) {
        if (dest.type != DestinationType::log || dest.path.empty() ||
            d->files_.count(dest.path) != 0) {
          continue;
        }
        auto sink = LogSink::open(dest.path);
        if (!sink) {
          return unexpected(
              Error{t.file + ": tenant " + t.tenant_id + ": " + sink.error().message});
        }
        d->files_.emplace(dest.path, std::move(sink).value());
      }
    }
  }
  return d;
}

Sink& LogDeliverer::sink_for(const Destination& d) {
  if (d.path.empty()) return stdout_;
  return *files_.at(d.path);
}

void LogDeliverer::deliver(TenantIndex tenant, std::span<Alert> batch, ReactorMetrics& metrics) {
  const TenantPolicy& policy = tenants_[tenant];
  auto& counts =
      metrics.tenant(tenant).notifications[static_cast<std::size_t>(DestinationType::log)];
  auto count = [&counts](const SinkResult& r, std::size_t n) {
    counts[static_cast<std::size_t>(r.outcome)].add(n);
    if (r.outcome != NotifyOutcome::delivered) {
      log::warn("log destination failed", {{"reason", r.reason}});
    }
  };
  // Runs of alerts that take the same rule go out in one write.
  std::size_t begin = 0;
  const Rule* next_rule = batch.empty() ? nullptr : match_rule(policy, batch[0]);
  while (begin < batch.size()) {
    const Rule* rule = next_rule;
    std::size_t end = begin + 1;
    // Each alert's rule is evaluated once; the first one of another rule starts the next run.
    for (; end < batch.size(); ++end) {
      next_rule = match_rule(policy, batch[end]);
      if (next_rule != rule) break;
    }
    const std::span<const Alert> run(batch.data() + begin, end - begin);
    bool delivered = false;
    if (rule != nullptr) {
      for (const auto& d : rule->destinations) {
        if (d.type != DestinationType::log) continue;
        count(sink_for(d).deliver(run), run.size());
        delivered = true;
      }
    }
    if (!delivered) count(stdout_.deliver(run), run.size());
    begin = end;
  }
}

}  // namespace alertgate
