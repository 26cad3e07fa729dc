// DeliveryEngine, the end of a delivery: outcomes of a request (retry with backoff,
// breaker, delivered, dead letter), the per-destination outcome records of the write-ahead
// log and the Completion that releases a notification's records. The queueing and sending
// half is delivery_engine.cpp.
#include <algorithm>
#include <cmath>

#include "alertgate/delivery_engine.hpp"
#include "alertgate/destination_format.hpp"
#include "alertgate/log.hpp"
#include "delivery_state.hpp"

namespace alertgate {

namespace {

std::size_t type_index(DestinationType t) { return static_cast<std::size_t>(t); }

}  // namespace

DeliveryEngine::Completion* DeliveryEngine::completion_of(
    const std::shared_ptr<const Notification>& n) {
  return std::get_deleter<Completion>(n);
}

void DeliveryEngine::finished(Shard& s, Target& t, std::vector<Job> jobs,
                              const SinkResult& result) {
  const TimePoint now = now_();
  auto& cells = s.metrics->tenant(t.tenant);
  cells.notifications[type_index(t.type)][static_cast<std::size_t>(result.outcome)].add(
      jobs.size());
  if (s.stopped) {
    s.pending.fetch_sub(jobs.size(), std::memory_order_relaxed);
    for (const Job& j : jobs) completion_of(j.n)->abandoned = true;
    return;
  }
  const auto& settings = jobs.front().dest->delivery;
  switch (result.outcome) {
    case NotifyOutcome::delivered:
      for (const Job& j : jobs) {
        s.metrics->notification_latency(type_index(t.type)).observe(now - j.enqueued);
        record_final(*j.n, *j.dest, true);
      }
      s.pending.fetch_sub(jobs.size(), std::memory_order_relaxed);
      t.failures = 0;
      if (t.breaker != Target::Breaker::closed) {
        t.breaker = Target::Breaker::closed;
        t.gauge->open.store(0, std::memory_order_relaxed);
        log::info("destination recovered: circuit closed", {{"destination", t.label}});
      }
      break;
    case NotifyOutcome::retry: {
      ++t.failures;
      if (t.breaker == Target::Breaker::half_open || t.failures >= settings.breaker_failures) {
        if (t.breaker != Target::Breaker::open) {
          log::warn("destination failing: circuit open",
                    {{"destination", t.label},
                     {"failures", t.failures},
                     {"reason", result.reason},
                     {"cool_down_ms", static_cast<long long>(settings.breaker_cool_down.count())}});
        }
        t.breaker = Target::Breaker::open;
        t.open_until = now + settings.breaker_cool_down;
        t.gauge->open.store(1, std::memory_order_relaxed);
      }
      // Back to the front, in order: a retried notification keeps its place.
      for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) {
        Job& j = *it;
        if (j.attempts >= j.dest->delivery.max_attempts) {
          s.pending.fetch_sub(1, std::memory_order_relaxed);
          dead_letter(s, j, result.reason + " (after " + std::to_string(j.attempts) + " attempts)");
          continue;
        }
        // Exponential backoff with full jitter; a service's 429 hint is a floor.
        const auto& dl = j.dest->delivery;
        const double ceiling =
            std::min(static_cast<double>(dl.retry_cap.count()),
                     static_cast<double>(dl.retry_base.count()) *
                         std::ldexp(1.0, static_cast<int>(std::min(j.attempts - 1, 30u))));
        std::uniform_real_distribution<double> jitter(0.0, ceiling);
        const auto backoff = std::chrono::milliseconds(static_cast<std::int64_t>(jitter(s.rng)));
        j.not_before = now + std::max<std::chrono::nanoseconds>(backoff, result.retry_after);
        t.queue.push_front(std::move(j));
      }
      break;
    }
    case NotifyOutcome::failed:
      s.pending.fetch_sub(jobs.size(), std::memory_order_relaxed);
      for (const Job& j : jobs) dead_letter(s, j, result.reason);
      break;
  }
  pump(s, t);
}

void DeliveryEngine::dead_letter(Shard& s, const Job& job, const std::string& reason) {
  DeadLetter d;
  d.tenant_id = job.n->policy->tenant_id;
  d.destination = describe(*job.dest);
  d.destination_type = std::string(to_string(job.dest->type));
  d.reason = reason;
  d.attempts = job.attempts;
  d.first_attempt = job.first_attempt;
  d.failed_at = now_();
  d.destination_name = job.dest->name;
  d.destination_key = stored_identity(*job.dest);
  d.rule_key = job.n->rule->key;
  d.alerts = job.n->alerts;
  for (Alert& a : d.alerts) a.wal_segment = 0;
  record_final(*job.n, *job.dest, false);
  d.group_key = job.n->group_key;
  d.group_labels = job.n->group_labels;
  s.metrics->tenant(job.tenant).dead_letters[type_index(job.dest->type)].add();
  log::warn("notification dead-lettered", {{"tenant", d.tenant_id},
                                           {"destination", d.destination},
                                           {"reason", d.reason},
                                           {"attempts", d.attempts}});
  // The notification (and so its alerts' log records) lives until the letter is on disk;
  // if it cannot be written, the records stay and the next start delivers them again.
  dead_letters_.add(std::move(d), [n = job.n](bool durable) {
    if (!durable) completion_of(n)->keep_records = true;
  });
}

// Outcome records matter only when a rule has several destinations: with one, the
// notification's release follows at once and says the same.
void DeliveryEngine::record_final(const Notification& n, const alertgate::Destination& d,
                                  bool delivered) {
  AlertReleaser* releaser = settings_.releaser;
  if (releaser == nullptr || n.rule == nullptr || n.rule->destinations.size() < 2) return;
  const std::uint64_t identity = stored_identity(d);
  for (const Alert& a : n.alerts) {
    if (a.wal_segment != 0) releaser->delivery_final(a, identity, delivered);
  }
}

// After a restart: a destination that every alert of the notification had already
// reached (or dead-lettered) in the previous process is not sent again.
bool DeliveryEngine::finished_before(const Notification& n, const alertgate::Destination& d) const {
  const AlertReleaser* releaser = settings_.releaser;
  if (releaser == nullptr || n.alerts.empty() || n.rule->destinations.size() < 2) return false;
  const std::uint64_t identity = stored_identity(d);
  return std::all_of(n.alerts.begin(), n.alerts.end(), [&](const Alert& a) {
    return a.wal_segment != 0 && releaser->already_final(a, identity);
  });
}

}  // namespace alertgate
