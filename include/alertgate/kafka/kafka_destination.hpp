// KafkaDestination: the `kafka` destination type as an AsyncSink over the process's one
// Producer. Each alert is one message (topic, key, value and headers: kafka_producer.hpp);
// the notification's result waits for every delivery report.
//
// Threads: deliver() from any thread (the shards); `done` runs on the producer's poll
// thread (or at once on the caller's for a message refused before sending).
#pragma once

#include "alertgate/async_sink.hpp"
#include "alertgate/kafka/kafka_producer.hpp"

namespace alertgate::kafka {

class KafkaDestination final : public AsyncSink {
 public:
  explicit KafkaDestination(Producer& producer) : producer_(producer) {}
  void deliver(std::span<const Alert> alerts, std::string_view topic,
               std::function<void(SinkResult)> done) override;

 private:
  Producer& producer_;
};

}  // namespace alertgate::kafka
