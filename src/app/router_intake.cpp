#include "router_intake.hpp"

#include <fmt/format.h>

#include <thread>

#include "alertgate/log.hpp"

namespace alertgate {

std::optional<Error> RouterIntake::start(kafka::ConsumerSettings settings,
                                         const SnapshotHolder& snapshots, ShardSet& shards) {
  snapshots_ = &snapshots;
  shards_ = &shards;
  auto consumer = kafka::Consumer::open(
      std::move(settings), [this](kafka::ConsumedMessage m) { on_message(std::move(m)); });
  if (!consumer) return Error{"kafka consumer: " + consumer.error().message};
  consumer_ = std::move(consumer).value();
  consumer_->start();
  return std::nullopt;
}

void RouterIntake::stop() {
  stopping_.store(true, std::memory_order_release);
  if (consumer_) consumer_->stop();
}

std::vector<kafka::PartitionLag> RouterIntake::lag() const {
  return consumer_ ? consumer_->lag() : std::vector<kafka::PartitionLag>{};
}

kafka::ConsumerStats RouterIntake::stats() const {
  return consumer_ ? consumer_->stats() : kafka::ConsumerStats{};
}

void RouterIntake::dead_letter(const kafka::ConsumedMessage& m, const std::string& reason) {
  DeadLetter d;
  d.tenant_id = m.tenant_id;
  d.destination = fmt::format("kafka({}/{}@{})", m.topic, m.partition, m.offset);
  d.destination_type = "kafka";
  d.reason = reason;
  d.attempts = 1;
  d.first_attempt = now();
  log::warn("kafka message dead-lettered", {{"topic", m.topic},
                                            {"partition", m.partition},
                                            {"offset", static_cast<long long>(m.offset)},
                                            {"reason", reason}});
  // Done once the letter is stored: consumption goes on, nothing is skipped silently.
  dead_letters_.add(std::move(d), [this, token = m.token](bool) {
    if (consumer_) consumer_->done(token);
  });
}

void RouterIntake::on_message(kafka::ConsumedMessage m) {
  auto alert = m.decode_alert();
  if (!alert) {
    const DecodeError& e = alert.error();
    return dead_letter(m, fmt::format("malformed message: {} (byte {})", e.message, e.offset));
  }
  const auto snapshot = snapshots_->load();
  const std::optional<TenantIndex> tenant = snapshot->index_of(m.tenant_id);
  if (!tenant) return dead_letter(m, "no tenant " + m.tenant_id + " in this router's policy");

  Alert& a = *alert;
  a.wal_segment = 1;  // holds a record: the message, released through release()
  {
    std::lock_guard lock(mutex_);
    tokens_[a.alert_id] = m.token;
  }
  // A full tenant queue holds this partition back (the consumer pauses at max_in_flight).
  while (shards_->submit(*tenant, std::span<Alert>(&a, 1)) != ShardSet::Submit::ok) {
    if (stopping_.load(std::memory_order_acquire)) return;  // consumed again by the group
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void RouterIntake::release(const Alert& alert) {
  kafka::MessageToken token;
  {
    std::lock_guard lock(mutex_);
    auto it = tokens_.find(alert.alert_id);
    if (it == tokens_.end()) return;
    token = it->second;
    tokens_.erase(it);
  }
  if (consumer_) consumer_->done(token);
}

}  // namespace alertgate
