// TopicProvisioner: `kafka.create_topics` — creates each tenant topic through the Admin API
// (rd_kafka_CreateTopics) the first time the producer uses it.
//
// Owns: the per-topic state (pending / ready / failed with a retry time). Does not own the
// client handle or the result queue (the Producer's; the results are served by its poll
// thread, which calls on_result()).
// Threads: ensure() from any thread (a short mutex); on_result() from the poll thread.
// Messages for a topic whose creation is in flight are held here (bounded per topic) and
// handed to the sender, in order, when the result arrives — so the broker never
// auto-creates the topic with its own defaults first. A failed creation (counted, logged)
// releases them too (the topic may exist anyway; if not, librdkafka fails them after
// topic.metadata.propagation.max.ms, retriable) and is retried by a later admit() after a
// backoff (1 s doubling to 60 s), without holding messages again.
#pragma once

#include <librdkafka/rdkafka.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alertgate/kafka/kafka_producer.hpp"

namespace alertgate::kafka {

// One message ready for rd_kafka_producev. `headers` and `done` are owned by whoever holds
// the message: the sender frees them (or hands them to librdkafka).
struct OutMessage {
  const char* topic = nullptr;  // NUL-terminated
  std::array<char, 16> key{};
  std::string_view value;
  rd_kafka_headers_t* headers = nullptr;
  DeliveryDone* done = nullptr;
};

class TopicProvisioner {
 public:
  using Clock = std::chrono::steady_clock;
  using Sender = std::function<void(const OutMessage&)>;
  enum class Admit : std::uint8_t { send, held, full };
  static constexpr std::size_t kMaxHeldPerTopic = 10'000;

  // Checks the numbers as librdkafka will (the error names `kafka.create_topics`).
  static std::optional<Error> check(const TopicProvisioning& p);

  // `send` produces a released message; called on the poll thread (or in release_all()).
  TopicProvisioner(rd_kafka_t* rk, rd_kafka_queue_t* results, TopicProvisioning p, Sender send);
  ~TopicProvisioner();
  TopicProvisioner(const TopicProvisioner&) = delete;
  TopicProvisioner& operator=(const TopicProvisioner&) = delete;

  // send: the topic is ready (or its creation failed recently): produce `m` now.
  // held: creation is in flight (requested now if the topic is new or its backoff is
  // over); the provisioner copied the value and owns headers and done. full: too many held.
  // Returns at once.
  Admit admit(const OutMessage& m, Clock::time_point now);
  // A RD_KAFKA_EVENT_CREATETOPICS_RESULT event; the caller destroys it. Releases the
  // topic's held messages to the sender.
  void on_result(rd_kafka_event_t* event, Clock::time_point now);
  // stop(): hands every held message to the sender (the client is still alive).
  void release_all();

  std::uint64_t created() const { return created_.load(std::memory_order_relaxed); }
  std::uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }

 private:
  enum class State : std::uint8_t { pending, ready, failed };
  struct Held {
    std::array<char, 16> key{};
    std::string value;
    rd_kafka_headers_t* headers = nullptr;
    DeliveryDone* done = nullptr;
  };
  struct Entry {
    State state = State::pending;
    bool hold = true;  // first request: hold the topic's messages until the answer
    int failures = 0;
    Clock::time_point retry_at{};
    std::vector<Held> held;
  };
  void request(const std::string& topic);
  void release(const std::string& topic, Entry& e);  // under mutex_: keeps the order

  rd_kafka_t* rk_;
  rd_kafka_queue_t* results_;
  TopicProvisioning provisioning_;
  Sender send_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> topics_;
  std::atomic<std::uint64_t> created_{0};
  std::atomic<std::uint64_t> errors_{0};
};

}  // namespace alertgate::kafka
