// Notifier: where a shard hands the notifications its tenants' dispatchers produce. The
// delivery engine (destinations, retries, breakers) implements it; until then app's
// LogNotifier writes them to `log` destinations.
#pragma once

#include <cstddef>

#include "alertgate/dispatcher.hpp"
#include "alertgate/metrics.hpp"
#include "alertgate/token_table.hpp"

namespace alertgate {

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Thread: shard `shard`, the tenant's home. `n` may be moved from.
  virtual void notify(std::size_t shard, TenantIndex tenant, Notification& n,
                      ReactorMetrics& metrics) = 0;
};

}  // namespace alertgate
