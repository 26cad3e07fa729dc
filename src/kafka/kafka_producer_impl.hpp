// The Producer's state, shared by kafka_producer.cpp (open, produce, stop) and
// kafka_producer_poll.cpp (the poll thread: delivery reports, errors, health probe).
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "alertgate/kafka/kafka_producer.hpp"
#include "kafka/kafka_topics.hpp"

namespace alertgate::kafka {

// True when a failed message may succeed later unchanged (broker down, timeouts, leader
// moves, queue full, purge on stop); false when the message itself is refused.
bool retriable_error(rd_kafka_resp_err_t err);

struct Producer::Impl {
  ProducerSettings settings;
  rd_kafka_t* rk = nullptr;
  rd_kafka_queue_t* main_queue = nullptr;  // delivery reports, errors, admin results
  std::unique_ptr<TopicProvisioner> topics;
  std::thread poller;

  // produce() holds it shared while it uses `rk`; stop() takes it exclusively to flip
  // `stopped`, so no produce() races the client's destruction.
  mutable std::shared_mutex lifecycle;
  bool stopped = false;  // under `lifecycle`

  std::atomic<bool> stopping{false};   // poll thread: leave the loop
  std::atomic<bool> reachable{false};  // a broker answered since the last "all brokers down"
  std::atomic<bool> fatal{false};

  std::atomic<std::uint64_t> produced{0};
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> in_flight{0};

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();

  // Calls `done` now with a failed report (caller's thread).
  void fail_now(const DeliveryDone& done, bool retriable, std::string reason);
  // rd_kafka_producev of a counted message (produced, in_flight); on a local refusal frees
  // headers and done after calling it with the failure. Any thread with `rk` alive.
  void send(const OutMessage& m);
  // A message librdkafka did not take: uncount, free, report the failure now.
  void refuse(const OutMessage& m, rd_kafka_resp_err_t err);

  // Poll thread (kafka_producer_poll.cpp).
  void poll_loop();
  void handle(rd_kafka_event_t* event);
  void on_delivery(rd_kafka_event_t* event);
  void on_error(rd_kafka_event_t* event);
  void probe();
};

}  // namespace alertgate::kafka
