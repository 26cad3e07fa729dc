#include "alertgate/kafka/wal_forwarder.hpp"

#include <algorithm>

#include "alertgate/log.hpp"

namespace alertgate::kafka {

using namespace std::chrono_literals;

WalForwarder::WalForwarder(Producer& producer, AlertReleaser& releaser,
                           DeadLetterSink& dead_letters, WalForwarderSettings settings)
    : producer_(producer),
      releaser_(releaser),
      dead_letters_(dead_letters),
      settings_(settings),
      thread_([this] { retry_loop(); }) {}

WalForwarder::~WalForwarder() { stop(); }

void WalForwarder::forward(std::span<Alert> alerts) {
  for (Alert& a : alerts) forward(std::move(a));
}

void WalForwarder::forward(Alert alert) {
  auto entry = std::make_unique<Entry>();
  entry->alert = std::move(alert);
  entry->first_attempt = now();
  pending_.fetch_add(1, std::memory_order_acq_rel);
  send(std::move(entry));
}

WalForwarderStats WalForwarder::stats() const {
  WalForwarderStats s;
  s.forwarded = forwarded_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  s.dead_lettered = dead_lettered_.load(std::memory_order_relaxed);
  s.pending = pending_.load(std::memory_order_relaxed);
  return s;
}

void WalForwarder::send(std::unique_ptr<Entry> entry) {
  ++entry->attempts;
  Entry* e = entry.release();
  // The report runs exactly once (kafka_producer.hpp): it takes the entry back.
  producer_.produce(
      e->alert, [this, e](const DeliveryReport& r) { on_report(std::unique_ptr<Entry>(e), r); });
}

void WalForwarder::on_report(std::unique_ptr<Entry> entry, const DeliveryReport& report) {
  if (stopping_.load(std::memory_order_acquire)) {
    // Stopped: the record stays in the log; whoever takes the log over produces it again.
    pending_.fetch_sub(1, std::memory_order_acq_rel);
    return;
  }
  if (report.delivered) {
    release_record(&releaser_, entry->alert);
    forwarded_.fetch_add(1, std::memory_order_relaxed);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
    return;
  }
  if (!report.retriable) return dead_letter(std::move(entry), report.reason);
  const unsigned doublings = std::min(entry->attempts - 1, 16u);
  const auto backoff = std::min<std::chrono::milliseconds>(
      settings_.first_backoff * (1u << doublings), settings_.max_backoff);
  // One line per 5 s at most: an outage fails every pending alert's report.
  const auto t = std::chrono::steady_clock::now().time_since_epoch().count();
  auto last = last_warning_.load(std::memory_order_relaxed);
  if (t - last >= std::chrono::nanoseconds(5s).count() &&
      last_warning_.compare_exchange_strong(last, t, std::memory_order_relaxed)) {
    log::warn("alerts not in Kafka yet: kept in the write-ahead log, retrying",
              {{"pending", pending()},
               {"example_alert_id", entry->alert.alert_id},
               {"tenant", entry->alert.tenant_id},
               {"attempts", entry->attempts},
               {"retry_in_ms", static_cast<long long>(backoff.count())},
               {"reason", report.reason}});
  }
  {
    std::lock_guard lock(mutex_);
    if (stopping_.load(std::memory_order_acquire)) {
      pending_.fetch_sub(1, std::memory_order_acq_rel);  // stop() came first: stays logged
      return;
    }
    waiting_.emplace(std::chrono::steady_clock::now() + backoff, std::move(entry));
  }
  wake_.notify_one();
}

void WalForwarder::dead_letter(std::unique_ptr<Entry> entry, const std::string& reason) {
  DeadLetter d;
  d.tenant_id = entry->alert.tenant_id;
  d.destination = "kafka(" + entry->alert.tenant_id + ")";
  d.destination_type = "kafka";
  d.reason = reason;
  d.attempts = entry->attempts;
  d.first_attempt = entry->first_attempt;
  d.failed_at = now();
  Alert letter = entry->alert;
  letter.wal_segment = 0;  // the letter holds no record; the entry's is released below
  d.alerts.push_back(std::move(letter));
  log::warn("alert cannot be written to Kafka: dead-lettered", {{"alert_id", entry->alert.alert_id},
                                                                {"tenant", entry->alert.tenant_id},
                                                                {"reason", reason}});
  dead_lettered_.fetch_add(1, std::memory_order_relaxed);
  std::shared_ptr<Entry> kept(std::move(entry));
  dead_letters_.add(std::move(d), [this, kept](bool durable) {
    // Not on disk: keep the record, so the next start tries again.
    if (durable) release_record(&releaser_, kept->alert);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  });
}

void WalForwarder::retry_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_.load(std::memory_order_acquire)) {
    if (waiting_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto due = waiting_.begin()->first;
    if (std::chrono::steady_clock::now() < due) {
      wake_.wait_until(lock, due);
      continue;
    }
    std::unique_ptr<Entry> entry = std::move(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
    lock.unlock();  // send() may report at once, and the report takes the lock
    retries_.fetch_add(1, std::memory_order_relaxed);
    send(std::move(entry));
    lock.lock();
  }
}

bool WalForwarder::drain(std::chrono::steady_clock::time_point deadline) const {
  while (pending() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pending() == 0;
}

void WalForwarder::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
    // Their records stay in the log.
    pending_.fetch_sub(waiting_.size(), std::memory_order_acq_rel);
    waiting_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace alertgate::kafka
