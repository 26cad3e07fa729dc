// KafkaProbe: the Kafka end of `alertgate bench --kafka-brokers HOST:PORT[,...]`. A
// librdkafka consumer (its own group id, auto.offset.reset=latest unless from_beginning,
// no commits) subscribed to a topic regex (default "^alerts-.*"); for each message whose
// value carries a bench marker (bench_marker.hpp, found by byte scan of the value, the
// enriched-alert JSON) it records message timestamp - intended send into a histogram: the
// ingest -> Kafka latency, at the message timestamp's millisecond resolution (so values
// are rounded to ms; a timestamp before the intended time records 0).
//
// What is read (no offsets are committed; the consumer sets each partition's start itself):
// every message produced after start(), whenever the group assignment arrives. Topics that
// exist at start() are read from their first message timestamped at or after start() (from
// their beginning with from_beginning); topics created later (alertgate creates
// alerts-<tenant> on a tenant's first alert) from their beginning; a partition revoked and
// assigned again resumes where it stopped. librdkafka's mock cluster cannot look offsets
// up by time: with it, topics that exist at start() are read from their end as of the
// assignment, so wait for assigned() before producing to them.
//
// Threads: start() spawns one polling thread (rd_kafka_consumer_poll with a 100 ms
// timeout, so stop() answers within ~100 ms). collect() may be called from any thread
// (the histogram is guarded by a mutex taken once per poll batch, not per message).
// stop() is idempotent, closes the consumer and joins; the destructor calls it.
// Errors: start() fails with librdkafka's message for a bad broker list or property, and
// when the brokers do not answer a metadata request within 5 s.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "alertgate/bench/latency_histogram.hpp"
#include "alertgate/result.hpp"

namespace alertgate::bench {

struct KafkaProbeOptions {
  std::string brokers;  // bootstrap.servers
  std::string topic_regex = "^alerts-.*";
  std::string group_id;         // empty: "alertgate-bench-<pid>"
  bool from_beginning = false;  // auto.offset.reset=earliest
  // Further librdkafka properties (security.protocol, sasl.*, ...), set after ours.
  std::vector<std::pair<std::string, std::string>> properties;
};

struct KafkaProbeCounts {
  std::uint64_t messages = 0;  // messages consumed
  std::uint64_t measured = 0;  // messages with a marker (latency recorded)
  std::uint64_t errors = 0;    // consumer errors reported by librdkafka (not EOF)
};

class KafkaProbe {
 public:
  explicit KafkaProbe(KafkaProbeOptions options);
  ~KafkaProbe();
  KafkaProbe(const KafkaProbe&) = delete;
  KafkaProbe& operator=(const KafkaProbe&) = delete;

  // Creates the consumer, reads the cluster's topic list (blocks up to 5 s), subscribes
  // and starts the polling thread (true), or the error.
  Result<bool> start();
  // Merges every latency recorded so far into `into`; returns the counts so far.
  KafkaProbeCounts collect(LatencyHistogram& into) const;
  // Whether the consumer has joined its group and taken its first assignment (librdkafka
  // joins only once a topic matches). False after stop().
  bool assigned() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alertgate::bench
