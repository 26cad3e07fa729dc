// WalForwarder: `mode: ingest` with `durability: wal`. The client's answer went out once the
// alert was in the write-ahead log; this produces each logged alert to its tenant's topic and
// releases its record (AlertReleaser::release) only when the broker's delivery report says
// it is in Kafka. So an alert acknowledged during a broker outage waits -- in memory, and in
// the log should the process die -- and reaches Kafka when the broker returns.
//
// - A retriable failure (broker down past message.timeout.ms, librdkafka's queue full,
//   purged at stop) keeps the record and produces the alert again after a backoff that
//   doubles per attempt (`first_backoff` .. `max_backoff`).
// - A failure that can never pass (message larger than the broker takes, topic not
//   authorized) dead-letters the alert with the reason (type "kafka"); the record is
//   released once the letter is on disk, kept (replayed next start) if it cannot be written.
// - Replayed alerts (a restart, a crash, an adopted log) come through forward() too.
//
// At-least-once: a report lost in a crash means the replay produces the alert again; the
// message key (the fingerprint) and alert_id let consumers collapse the repeat.
//
// Bounded: has_room() is false while `max_pending` alerts wait for Kafka (ingest answers 503
// then), so memory holds at most max_pending alerts plus what replay brought.
//
// Threads: forward(), has_room(), pending(), stats() from any thread. Reports arrive on the
// producer's poll thread; retries run on this class's own thread. drain() and stop() from
// the owner's (control) thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <thread>

#include "alertgate/alert.hpp"
#include "alertgate/alert_release.hpp"
#include "alertgate/dead_letters.hpp"
#include "alertgate/kafka/kafka_producer.hpp"

namespace alertgate::kafka {

struct WalForwarderSettings {
  std::size_t max_pending = 100'000;  // librdkafka's queue.buffering.max.messages by default
  std::chrono::milliseconds first_backoff{250};
  std::chrono::milliseconds max_backoff{10'000};
};

struct WalForwarderStats {
  std::uint64_t forwarded = 0;      // in Kafka, record released
  std::uint64_t retries = 0;        // produced again after a retriable failure
  std::uint64_t dead_lettered = 0;  // failed for good
  std::uint64_t pending = 0;        // waiting for a report or a retry
};

class WalForwarder {
 public:
  WalForwarder(Producer& producer, AlertReleaser& releaser, DeadLetterSink& dead_letters,
               WalForwarderSettings settings = {});
  ~WalForwarder();
  WalForwarder(const WalForwarder&) = delete;
  WalForwarder& operator=(const WalForwarder&) = delete;

  // True when `n` more alerts may be accepted (pending() + n <= max_pending).
  bool has_room(std::size_t n) const {
    return pending_.load(std::memory_order_relaxed) + n <= settings_.max_pending;
  }
  // Takes the alerts (moved from); each holds its WAL record (wal_segment != 0).
  void forward(std::span<Alert> alerts);
  void forward(Alert alert);

  std::size_t pending() const { return pending_.load(std::memory_order_acquire); }
  WalForwarderStats stats() const;

  // Waits until nothing is pending (true) or `deadline` passed (false).
  bool drain(std::chrono::steady_clock::time_point deadline) const;
  // No more retries; what is still pending keeps its record (the next start, or the process
  // that adopts the log, produces it again) and later reports only drop it. Idempotent.
  void stop();

 private:
  struct Entry {
    Alert alert;
    unsigned attempts = 0;
    TimePoint first_attempt{};
  };
  void send(std::unique_ptr<Entry> entry);
  void on_report(std::unique_ptr<Entry> entry, const DeliveryReport& report);
  void dead_letter(std::unique_ptr<Entry> entry, const std::string& reason);
  void retry_loop();

  Producer& producer_;
  AlertReleaser& releaser_;
  DeadLetterSink& dead_letters_;
  const WalForwarderSettings settings_;
  std::atomic<std::size_t> pending_{0};
  std::atomic<std::uint64_t> forwarded_{0};
  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::uint64_t> dead_lettered_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> last_warning_{std::numeric_limits<std::int64_t>::min() / 2};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<std::chrono::steady_clock::time_point, std::unique_ptr<Entry>> waiting_;
  std::thread thread_;
};

}  // namespace alertgate::kafka
