// AsyncSink: a destination whose answer comes later, from another thread (Kafka: the
// broker's delivery reports). The delivery engine hands it a notification's alerts and
// gets one SinkResult back; retries, backoff, the breaker and dead letters stay the
// engine's, as for every sink.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include "alertgate/alert.hpp"
#include "alertgate/sink.hpp"

namespace alertgate {

class AsyncSink {
 public:
  virtual ~AsyncSink() = default;
  // Any thread, never blocks. `topic` is the destination's own (empty: the default for the
  // alerts' tenant). `done` runs exactly once, on any thread: delivered when every alert
  // was; failed when one was refused for good; else retry.
  virtual void deliver(std::span<const Alert> alerts, std::string_view topic,
                       std::function<void(SinkResult)> done) = 0;
};

}  // namespace alertgate
