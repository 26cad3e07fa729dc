// LogDeliverer: what shards do with drained alerts until the delivery engine lands: each
// alert takes its tenant's first matching rule and goes to that rule's `log`
// destinations (stdout or a file); an alert whose rule has no `log` destination (or that
// matches no rule) goes to stdout, so every accepted alert is visible somewhere.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alertgate/log_sink.hpp"
#include "alertgate/result.hpp"
#include "alertgate/shard.hpp"
#include "alertgate/tenant_policy.hpp"

namespace alertgate {

class LogDeliverer final : public Deliverer {
 public:
  // Opens every `log` destination file of every tenant; errors name tenant and path.
  static Result<std::unique_ptr<LogDeliverer>> create(const std::vector<TenantPolicy>& tenants);

  void deliver(TenantIndex tenant, std::span<Alert> batch, ReactorMetrics& metrics) override;

 private:
  explicit LogDeliverer(const std::vector<TenantPolicy>& tenants) : tenants_(tenants) {}
  Sink& sink_for(const Destination& d);

  const std::vector<TenantPolicy>& tenants_;
  LogSink stdout_;
  std::map<std::string, std::unique_ptr<LogSink>> files_;
};

}  // namespace alertgate
