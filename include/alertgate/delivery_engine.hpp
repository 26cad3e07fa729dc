// DeliveryEngine: the Notifier of the shards. Turns each notification into one delivery
// per destination of its rule and owns everything after that on the shard's reactor:
// per-destination queues, the token bucket (`rate_limit`: queues, never drops), bounded
// in-flight requests, natural batching for webhooks (notifications of one rule that queue
// up while a request is in flight go together in the next, up to `max_alerts`), retries
// with exponential backoff and full jitter (or the service's 429 hint), the circuit
// breaker (open after `breaker.failures` consecutive retryable failures, one half-open
// probe after `cool_down`; while open, the rule's `fallback` takes the deliveries, else they
// wait in the queue), and the dead-letter store for what finally fails.
//
// `log` destinations are written synchronously (LogSink); `kafka` ones go through an
// AsyncSink (one message per alert; the broker's reports decide the outcome) with the same
// queues, retries, breaker and dead letters as HTTP destinations. Nothing is dropped
// silently: every notification ends delivered, in the dead-letter store, or (at shutdown)
// counted as abandoned.
//
// Threads: notify() and every callback on the tenant's home shard (one HttpClient and one
// set of destination states per shard, no locks); construction on the control thread before
// the reactors run; stop(k) on shard k's thread.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "alertgate/alert_release.hpp"
#include "alertgate/async_sink.hpp"
#include "alertgate/dead_letters.hpp"
#include "alertgate/http_client.hpp"
#include "alertgate/log_sink.hpp"
#include "alertgate/notifier.hpp"

namespace alertgate {

struct DeliverySettings {
  std::string external_url;  // for formats (links back)
  SmtpSettings smtp;
  std::string mail_from = "alertgate@localhost";
  std::size_t max_queue_per_destination = 10'000;  // notifications; beyond: dead letter
  std::size_t max_in_flight_per_shard = 512;       // requests, all destinations together
  // durability: wal: a notification's alerts are released when its last delivery is final
  // (delivered or dead-lettered), alert_release.hpp.
  AlertReleaser* releaser = nullptr;
  // `kafka` destinations (kafka::KafkaDestination over the process's producer); null: no
  // kafka.brokers configured, so they fail (retried, then dead-lettered) saying so.
  AsyncSink* kafka = nullptr;
};

class DeliveryEngine final : public Notifier {
 public:
  DeliveryEngine(std::vector<boost::asio::io_context*> reactors, DeliverySettings settings,
                 DeadLetterSink& dead_letters, Metrics& metrics,
                 std::function<TimePoint()> now = nullptr);
  ~DeliveryEngine() override;
  DeliveryEngine(const DeliveryEngine&) = delete;
  DeliveryEngine& operator=(const DeliveryEngine&) = delete;

  // Control thread, before publishing a policy that uses them: opens `log` files.
  std::optional<Error> open_log_files(const TenantPolicy& policy);

  void notify(std::size_t shard, TenantIndex tenant, Notification& n,
              ReactorMetrics& metrics) override;

  // Shard `shard`'s thread (the tenant's home): delivers `n` -- the alerts of a dead letter
  // being replayed -- to `dest` alone, one of n.rule's destinations or its fallback (inside
  // n.policy). `done(finished)` runs once: finished = true when that delivery reached its
  // final outcome (delivered, or dead-lettered again as a new letter), false when it was
  // abandoned at shutdown.
  void redeliver(std::size_t shard, TenantIndex tenant, Notification n, const Destination& dest,
                 std::function<void(bool finished)> done);

  // Shard `shard`'s thread: notifications queued or in flight on that shard.
  std::size_t pending(std::size_t shard) const;
  // Any thread (approximate): the sum over shards, for shutdown.
  std::size_t pending_total() const;
  // Shard thread: cancels in-flight requests and timers; what was still pending is counted
  // as abandoned (and logged).
  void stop(std::size_t shard);

 private:
  struct Shard;
  struct Target;
  struct Job;
  struct Completion;
  static Completion* completion_of(const std::shared_ptr<const Notification>& n);
  void enqueue(Shard& s, Job job);
  void pump(Shard& s, Target& t);
  void pump_later(Shard& s, Target& t);
  void send(Shard& s, Target& t, std::vector<Job> jobs);
  void finished(Shard& s, Target& t, std::vector<Job> jobs, const SinkResult& result);
  void dead_letter(Shard& s, const Job& job, const std::string& reason);
  void record_final(const Notification& n, const Destination& d, bool delivered);
  bool finished_before(const Notification& n, const Destination& d) const;
  void write_log(Shard& s, TenantIndex tenant, const Destination& d, const Notification& n);
  Target& target_for(Shard& s, TenantIndex tenant, const Destination& dest);
  void arm(Shard& s, Target& t, TimePoint at);
  void unblock(Shard& s);

  std::vector<std::unique_ptr<Shard>> shards_;
  DeliverySettings settings_;
  DeadLetterSink& dead_letters_;
  Metrics& metrics_;
  std::function<TimePoint()> now_;
  LogSink stdout_;
  std::mutex files_mutex_;
  std::map<std::string, std::unique_ptr<LogSink>> files_;
};

}  // namespace alertgate
