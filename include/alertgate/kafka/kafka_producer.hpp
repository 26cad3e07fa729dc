// Kafka producer for `mode: ingest` and the `kafka` destination (issue 7): one enriched alert
// = one message on the tenant's topic (`alerts-{tenant_id}`), key = fingerprint as 16
// lowercase hex digits, value = append_alert_json(alert), headers `traceparent`,
// `tenant_id`, `severity`, `rating`, `alert_id`. Idempotent (acks=all), so a broker retry
// never duplicates or reorders a partition's messages.
//
// One Producer per process is the intended use: librdkafka batches per partition across all
// callers, runs one set of broker threads and one connection per broker; several producers
// would only split the batches and multiply the threads.
//
// Owns: the librdkafka handle (its broker threads), one poll thread that serves the delivery
// reports, error events and topic-creation results, and the per-topic provisioning cache.
// Threads: produce(), healthy(), stats(), flush() from any thread; produce() never blocks (a
// full local queue answers at once). stop() from one owner thread (also run by the dtor).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "alertgate/alert.hpp"
#include "alertgate/kafka/kafka_config.hpp"
#include "alertgate/result.hpp"

namespace alertgate::kafka {

// `kafka.create_topics`: topics are created through the Admin API on first use (once per
// topic per process; TOPIC_ALREADY_EXISTS counts as success); the topic's first messages
// wait for that answer. -1 = the broker's default.
struct TopicProvisioning {
  int partitions = 3;
  int replication_factor = 2;
  std::map<std::string, std::string> config;  // topic configs, e.g. cleanup.policy
  // Admin request timeout. A topic's first messages are held until its creation answers,
  // so at most about this long.
  std::chrono::milliseconds timeout{15000};
};

struct ProducerSettings {
  std::string brokers;  // bootstrap.servers, required
  std::string topic_pattern = "alerts-{tenant_id}";
  Properties properties;                           // librdkafka passthrough, wins over defaults
  std::optional<TopicProvisioning> create_topics;  // nullopt: topics are managed elsewhere
  // stop(): how long outstanding messages may still be delivered before they are purged.
  std::chrono::milliseconds stop_timeout{5000};
};

// The outcome of one produce(). `retriable` failures did not reach Kafka for a reason that
// may pass (queue full, broker down past message.timeout.ms, stopped, fatal producer error:
// the alert itself is fine, the caller keeps it and retries later); the others never will
// (invalid tenant topic, message too large, authorization).
struct DeliveryReport {
  bool delivered = false;
  bool retriable = false;
  std::string reason;  // empty when delivered
  std::int32_t partition = -1;
  std::int64_t offset = -1;
};

// Called exactly once per alert: on the producer's poll thread for a broker's answer, or on
// the caller's thread inside produce() for an immediate failure. Must not block and must not
// call back into the Producer (post the outcome to the owner's thread instead).
using DeliveryDone = std::function<void(const DeliveryReport&)>;
// The batch form: `index` into the span given to produce().
using BatchDeliveryDone = std::function<void(std::size_t index, const DeliveryReport&)>;

struct ProducerStats {
  std::uint64_t produced = 0;        // handed to librdkafka
  std::uint64_t delivered = 0;       // reports: in Kafka
  std::uint64_t failed = 0;          // reports: failed, immediate failures included
  std::uint64_t queue_depth = 0;     // librdkafka's outq (messages + requests not yet answered)
  std::uint64_t in_flight = 0;       // produced, report not yet given
  std::uint64_t topics_created = 0;  // Admin API: created or already there
  std::uint64_t topic_create_errors = 0;  // Admin API failures (retried with backoff)
};

class TopicProvisioner;

class Producer {
 public:
  // Validates every property (librdkafka's own check; the error names it, e.g.
  // "kafka.properties.lingr.ms: No such configuration property"), the pattern, the
  // provisioning numbers, then starts the client. Does not wait for a broker: healthy()
  // turns true once one answers.
  static Result<std::unique_ptr<Producer>> open(ProducerSettings settings);

  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Any thread, never blocks. `done` is called exactly once (see DeliveryDone).
  void produce(const Alert& alert, DeliveryDone done);
  // One produce() per alert, `done(i, report)` once per alert.
  void produce(std::span<const Alert> alerts, BatchDeliveryDone done);
  // To `topic` (a tenant destination's own topic) instead of the pattern's. It must be the
  // alert tenant's topic or below it after a '.' ("alerts-acme.audit" for tenant acme; not
  // "alerts-acme2"), so no tenant can write another's topic; otherwise done() fails at
  // once, not retriable.
  void produce_to(std::string_view topic, const Alert& alert, DeliveryDone done);

  // False while no broker is reachable (all down, or none answered yet) and for good after
  // a fatal producer error.
  bool healthy() const;
  ProducerStats stats() const;
  // The librdkafka defaults chosen here (before the user's properties).
  static const Properties& default_properties();

  // Waits up to `timeout` until every produced message has its report (done() has run);
  // linger.ms is ignored meanwhile. True if nothing is outstanding.
  bool flush(std::chrono::milliseconds timeout);
  // Flushes for at most settings.stop_timeout, purges what is left (its reports fail,
  // retriable, with "stopped"), stops the poll thread, destroys the client. Idempotent;
  // produce() afterwards fails at once with "stopped".
  void stop();

 private:
  struct Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace alertgate::kafka
