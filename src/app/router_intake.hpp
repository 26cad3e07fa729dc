// RouterIntake: `mode: router`. Consumes the tenant topics that ingest nodes write (a Kafka
// consumer group), hands each alert to its tenant's home shard -- the same routing and
// delivery as standalone mode -- and tells the consumer a message is done when the alert's
// record is released (alert_release.hpp: its deliveries are final, or there was nothing to
// deliver), so offsets are committed only past messages whose deliveries all ended
// (at-least-once; a router that dies leaves them to the group's other members).
//
// A message that does not decode, names another tenant than its topic's or belongs to no
// configured tenant is dead-lettered with the reason (and its position), then done.
//
// Threads: the handler runs on the consumer's thread (it may wait while the tenant's queue
// is full: that is back-pressure on the partition, not on a reactor); release() etc. on
// shard threads; start()/stop() on the control thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "alertgate/alert_release.hpp"
#include "alertgate/kafka/kafka_consumer.hpp"
#include "alertgate/policy_snapshot.hpp"
#include "alertgate/result.hpp"
#include "alertgate/shard.hpp"
#include "alertgate/wal/dead_letter_store.hpp"

namespace alertgate {

class RouterIntake final : public AlertReleaser {
 public:
  explicit RouterIntake(DeadLetterSink& dead_letters) : dead_letters_(dead_letters) {}
  ~RouterIntake() override { stop(); }

  // Opens the consumer (errors name the setting) and starts consuming into `shards`.
  std::optional<Error> start(kafka::ConsumerSettings settings, const SnapshotHolder& snapshots,
                             ShardSet& shards);
  // Leaves the group: what is not done is consumed again by the other members.
  void stop();

  bool assigned() const { return consumer_ && consumer_->assigned(); }
  std::vector<kafka::PartitionLag> lag() const;
  kafka::ConsumerStats stats() const;

  void release(const Alert& alert) override;
  void delivery_final(const Alert&, std::uint64_t, bool) override {}
  bool already_final(const Alert&, std::uint64_t) const override { return false; }

 private:
  void on_message(kafka::ConsumedMessage m);
  void dead_letter(const kafka::ConsumedMessage& m, const std::string& reason);

  const SnapshotHolder* snapshots_ = nullptr;
  DeadLetterSink& dead_letters_;
  ShardSet* shards_ = nullptr;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::atomic<bool> stopping_{false};
  // alert_id -> the message it came in; the record is the message.
  std::mutex mutex_;
  std::unordered_map<std::string, kafka::MessageToken> tokens_;
};

}  // namespace alertgate
