// Sink: delivers alerts to one destination and says how it went. The shard owns what
// happens next (retry, backoff, dead letters); a sink only reports.
#pragma once

#include <chrono>
#include <span>
#include <string>

#include "alertgate/alert.hpp"
#include "alertgate/metrics.hpp"

namespace alertgate {

struct SinkResult {
  NotifyOutcome outcome = NotifyOutcome::delivered;
  std::chrono::milliseconds retry_after{0};  // with retry: wait at least this long
  std::string reason;                        // with retry/failed: what went wrong
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Thread: the calling shard's. Implementations say whether they may be shared.
  virtual SinkResult deliver(std::span<const Alert> alerts) = 0;
};

}  // namespace alertgate
