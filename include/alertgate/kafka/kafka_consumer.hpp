// Consumer: the router's side of Kafka (`mode: router`, issue 7). A consumer-group member
// subscribed to the tenant topics (`^alerts-.*`) that hands every message to the app and
// commits a partition's offset only up to the lowest message the app has not finished
// (at-least-once: every delivery of a message reached a final outcome before its offset is
// committed; anything not finished when a partition moves or the process dies is consumed
// again by the next owner).
//
// Owns one librdkafka consumer handle and one thread (the poll thread) that polls it, calls
// the handler, runs the rebalance callback, commits, pauses and resumes. The handler runs on
// that thread, one message at a time, in offset order within each partition (so in order
// per fingerprint: ingest keys messages by fingerprint). It must not block for long: a
// handler that does not return stalls every partition and, past max.poll.interval.ms,
// costs this member its partitions.
//
// Threads: done(), assigned(), lag(), stats() and stop() may be called from any thread.
// Errors: open() fails for an invalid setting or property (named); errors while running
// (broker down, failed commits) are retried by librdkafka and by the next commit, counted
// in stats() and logged.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alertgate/decode.hpp"
#include "alertgate/kafka/kafka_config.hpp"
#include "alertgate/kafka/message_token.hpp"
#include "alertgate/result.hpp"

namespace alertgate::kafka {

struct ConsumerSettings {
  std::string brokers;                        // bootstrap.servers
  std::string group_id = "alertgate-router";  // kafka.group_id
  std::string topic_regex = "^alerts-.*";     // subscription (a librdkafka regex: starts with ^)
  // How a tenant's topic is named (the producer's pattern): the tenant id of a message is
  // read from its topic through it. A topic the regex matches but the pattern does not
  // yields an empty tenant_id (the app dead-letters such messages).
  std::string topic_pattern = "alerts-{tenant_id}";
  // librdkafka passthrough (`kafka.properties`), wins over our defaults; open() refuses
  // enable.auto.commit, enable.auto.offset.store, group.id, bootstrap.servers here.
  Properties properties;
  // Uncommitted messages (handed to the handler and not done, or done but behind one that
  // is not) before every partition is paused; resumed when that drops to half of it. Bounds
  // the tracker's memory and what a crash would redeliver.
  std::size_t max_in_flight = 10'000;
  // Asynchronous commits of what is done; synchronous ones happen on revoke and stop.
  std::chrono::milliseconds commit_interval{100};
};

// The defaults open() applies before `properties` (documented for operators): manual
// commits of explicit offsets, earliest for a group without offsets, cooperative-sticky
// assignment, new tenant topics seen within 10 s.
Properties consumer_default_properties();

struct ConsumedMessage {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;  // the fingerprint (hex) as written by ingest; empty when none
  // The tenant, from the topic name (through topic_pattern). Trusted over the `tenant_id`
  // header and the value's own field: write access to a topic is what Kafka ACLs grant per
  // tenant, while headers and values are whatever the producer put there.
  std::string tenant_id;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;  // in message order
  MessageToken token;  // pass to Consumer::done() once every delivery is final

  // The first header called `name`, if any.
  std::optional<std::string_view> header(std::string_view name) const;
  // Decodes `value` as an enriched alert (enriched_alert.hpp) and checks that it belongs to
  // this message's tenant: an empty tenant_id, or a value naming another tenant, is an
  // error (offset 0) so the app dead-letters it instead of routing it with another
  // tenant's policy. Uses the calling thread's decoder.
  Result<Alert, DecodeError> decode_alert() const;
};

struct PartitionLag {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t high_watermark = -1;  // -1 = not known yet
  std::int64_t committed = -1;       // last offset committed by this member, -1 = none yet
  std::int64_t position = -1;        // next offset to be handed to the handler, -1 = unknown
  // high_watermark - committed (or - position when nothing was committed yet), -1 unknown.
  std::int64_t lag = -1;
};

struct ConsumerStats {
  std::uint64_t messages = 0;        // handed to the handler
  std::uint64_t done = 0;            // done() calls applied
  std::uint64_t stale_done = 0;      // done() for a revoked partition (ignored)
  std::uint64_t commits = 0;         // commit requests sent (async and sync)
  std::uint64_t commit_errors = 0;   // commit requests that failed (retried next time)
  std::uint64_t assignments = 0;     // rebalance callbacks that assigned (may be empty)
  std::uint64_t revocations = 0;     // rebalance callbacks that revoked or lost partitions
  std::uint64_t pauses = 0;          // times every partition was paused (max_in_flight)
  std::uint64_t consume_errors = 0;  // error events and errored messages from the client
  std::size_t in_flight = 0;         // handed out, not done (as of the last poll loop)
  std::size_t uncommitted = 0;       // handed out, at or above the commit point (>= in_flight)
  std::size_t assigned_partitions = 0;
  bool paused = false;
  std::string rebalance_protocol;  // "COOPERATIVE" or "EAGER", once joined
};

class Consumer {
 public:
  using Handler = std::function<void(ConsumedMessage)>;

  // Creates the handle and subscribes. Fails (naming the setting or property) before any
  // thread exists. No message is handed out before start().
  static Result<std::unique_ptr<Consumer>> open(ConsumerSettings settings, Handler handler);

  // Starts the poll thread. Separate from open() so the caller can keep the Consumer where
  // the handler (and whoever calls done()) finds it before the first message arrives.
  // Idempotent; does nothing after stop().
  void start();

  ~Consumer();  // stop(); not from the handler
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Every delivery of the message is final (delivered or dead-lettered). Any thread; cheap
  // (applied directly on the poll thread, queued from others). A token of a partition this
  // member no longer owns is ignored: the new owner consumes that message again.
  void done(const MessageToken& token);

  // Ready for /-/ready: the group was joined and an assignment received, even an empty one
  // (a member of a group with more members than partitions is healthy and idle). Stays
  // true across later rebalances; false again after stop().
  bool assigned() const;

  // Per assigned partition, as of the last poll-loop refresh (at most a commit interval old).
  std::vector<PartitionLag> lag() const;
  ConsumerStats stats() const;

  // Commits what is done, leaves the group (its partitions go to the other members at
  // once), joins the poll thread. Idempotent. From the handler it only asks the poll thread
  // to finish (after the handler returns); the destructor then joins it.
  void stop();

  struct Impl;

 private:
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace alertgate::kafka
