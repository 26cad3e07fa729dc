// DeliveryEngine, the way out: notifications become jobs, queued per destination, paced
// (rate limit, in-flight bounds, breaker) and sent; outcomes are handled in
// delivery_final.cpp.
#include "alertgate/delivery_engine.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

#include "alertgate/delivery_outcome.hpp"
#include "alertgate/destination_format.hpp"
#include "alertgate/log.hpp"
#include "delivery_state.hpp"

namespace alertgate {

namespace {

constexpr std::size_t kMaxBatchNotifications = 64;  // webhook natural batching

std::size_t type_index(DestinationType t) { return static_cast<std::size_t>(t); }

}  // namespace

DeliveryEngine::DeliveryEngine(std::vector<boost::asio::io_context*> reactors,
                               DeliverySettings settings, DeadLetterSink& dead_letters,
                               Metrics& metrics, std::function<TimePoint()> now)
    : settings_(std::move(settings)),
      dead_letters_(dead_letters),
      metrics_(metrics),
      now_(now ? std::move(now) : std::function<TimePoint()>([] { return alertgate::now(); })) {
  std::random_device seed;
  for (std::size_t k = 0; k < reactors.size(); ++k) {
    shards_.push_back(std::make_unique<Shard>(*reactors[k], metrics.reactor(k),
                                              (std::uint64_t{seed()} << 32) ^ seed()));
  }
}

DeliveryEngine::~DeliveryEngine() = default;

std::optional<Error> DeliveryEngine::open_log_files(const TenantPolicy& policy) {
  auto open = [&](const alertgate::Destination& d) -> std::optional<Error> {
    if (d.type != DestinationType::log || d.path.empty()) return std::nullopt;
    std::lock_guard lock(files_mutex_);
    if (files_.count(d.path) != 0) return std::nullopt;
    auto sink = LogSink::open(d.path);
    if (!sink) {
      return Error{policy.file + ": tenant " + policy.tenant_id + ": " + sink.error().message};
    }
    files_.emplace(d.path, std::move(sink).value());
    return std::nullopt;
  };
  auto rules = policy.rules;
  if (policy.default_rule) rules.push_back(*policy.default_rule);
  for (const Rule& r : rules) {
    for (const auto& d : r.destinations) {
      if (auto e = open(d)) return e;
    }
    if (r.fallback) {
      if (auto e = open(*r.fallback)) return e;
    }
  }
  return std::nullopt;
}

void DeliveryEngine::write_log(Shard& s, TenantIndex tenant, const alertgate::Destination& d,
                               const Notification& n) {
  Sink* sink = &stdout_;
  if (!d.path.empty()) {
    std::lock_guard lock(files_mutex_);
    if (auto it = files_.find(d.path); it != files_.end()) sink = it->second.get();
  }
  const SinkResult r = sink->deliver(std::span<const Alert>(n.alerts));
  record_final(n, d, r.outcome == NotifyOutcome::delivered);
  s.metrics->tenant(tenant)
      .notifications[type_index(d.type)][static_cast<std::size_t>(r.outcome)]
      .add();
  if (r.outcome != NotifyOutcome::delivered) {
    log::warn("log destination failed", {{"reason", r.reason}});
  }
}

void DeliveryEngine::notify(std::size_t shard, TenantIndex tenant, Notification& n,
                            ReactorMetrics& /*metrics*/) {
  Shard& s = *shards_[shard];
  if (n.rule == nullptr) {
    for (Alert& a : n.alerts) release_record(settings_.releaser, a);
    return;
  }
  // Every job of this notification shares it; when the last one reaches its final outcome
  // (or there was none to make), the alerts' log records are released.
  std::shared_ptr<const Notification> shared(new Notification(std::move(n)),
                                             Completion{settings_.releaser, {}});
  const TimePoint now = now_();
  for (const alertgate::Destination& d : shared->rule->destinations) {
    if (!should_send(*shared, d)) continue;
    if (finished_before(*shared, d)) continue;
    if (d.type == DestinationType::log) {
      write_log(s, tenant, d, *shared);
      continue;
    }
    Job job;
    job.n = shared;
    job.dest = &d;
    job.tenant = tenant;
    job.enqueued = now;
    enqueue(s, std::move(job));
  }
}

void DeliveryEngine::redeliver(std::size_t shard, TenantIndex tenant, Notification n,
                               const alertgate::Destination& dest,
                               std::function<void(bool finished)> done) {
  Shard& s = *shards_[shard];
  std::shared_ptr<const Notification> shared(new Notification(std::move(n)),
                                             Completion{settings_.releaser, std::move(done)});
  if (s.stopped) {
    completion_of(shared)->abandoned = true;
    return;
  }
  if (dest.type == DestinationType::log) {
    write_log(s, tenant, dest, *shared);
    return;
  }
  Job job;
  job.n = shared;
  job.dest = &dest;
  job.tenant = tenant;
  job.enqueued = now_();
  enqueue(s, std::move(job));
}

DeliveryEngine::Target& DeliveryEngine::target_for(Shard& s, TenantIndex tenant,
                                                   const alertgate::Destination& dest) {
  const std::uint64_t key = destination_key(tenant, dest);
  auto& slot = s.targets[key];
  if (!slot) {
    slot = std::make_unique<Target>(s.io);
    slot->key = key;
    slot->tenant = tenant;
    slot->type = dest.type;
    slot->label = dest.name.empty() ? describe(dest) : dest.name + ": " + describe(dest);
  }
  return *slot;
}

void DeliveryEngine::enqueue(Shard& s, Job job) {
  Target& t = target_for(s, job.tenant, *job.dest);
  if (t.queue.size() >= settings_.max_queue_per_destination) {
    dead_letter(s, job,
                "destination queue full (" + std::to_string(settings_.max_queue_per_destination) +
                    " waiting)");
    return;
  }
  if (t.gauge == nullptr) {
    t.gauge = &metrics_.breaker_gauge(job.n->policy->tenant_id, t.label);
  }
  s.pending.fetch_add(1, std::memory_order_relaxed);
  t.queue.push_back(std::move(job));
  pump_later(s, t);
}

// New jobs are sent at the end of the current reactor turn, not one by one as they are
// queued: the notifications a drain pass makes (up to a quantum of alerts per tenant) then
// leave together through natural batching. Under light load a turn holds one alert and
// nothing waits; under heavy load batches grow with it, and the per-request cost (curl)
// is paid per batch. Same turn: no timer, no added latency beyond the pass itself.
void DeliveryEngine::pump_later(Shard& s, Target& t) {
  if (!t.dirty) {
    t.dirty = true;
    s.dirty.push_back(&t);
  }
  if (s.flush_posted) return;
  s.flush_posted = true;
  boost::asio::post(s.io, [this, &s] {
    s.flush_posted = false;
    std::vector<Target*> targets;
    targets.swap(s.dirty);
    for (Target* target : targets) {
      target->dirty = false;
      pump(s, *target);
    }
    targets.clear();
    if (s.dirty.empty()) s.dirty.swap(targets);  // keep the capacity
  });
}

void DeliveryEngine::arm(Shard& s, Target& t, TimePoint at) {
  if (s.stopped || at >= t.armed_for) return;
  t.armed_for = at;
  const auto delay = std::max<std::chrono::nanoseconds>(at - now_(), std::chrono::nanoseconds(0));
  t.timer.expires_after(delay);
  t.timer.async_wait([this, &s, &t, at](boost::system::error_code ec) {
    if (ec || t.armed_for != at) return;
    t.armed_for = TimePoint::max();
    pump(s, t);
  });
}

void DeliveryEngine::pump(Shard& s, Target& t) {
  while (!s.stopped && !t.queue.empty()) {
    const TimePoint now = now_();
    const auto& settings = t.queue.front().dest->delivery;
    if (t.in_flight >= settings.max_in_flight) return;
    if (s.in_flight >= settings_.max_in_flight_per_shard) {
      if (!t.blocked) {
        t.blocked = true;
        s.blocked.push_back(&t);
      }
      return;
    }

    if (t.breaker == Target::Breaker::open) {
      if (now < t.open_until) {
        // The rule's fallback takes what waits; without one, it waits for the probe.
        for (auto it = t.queue.begin(); it != t.queue.end();) {
          const Rule* rule = it->n->rule;
          if (rule->fallback && destination_key(t.tenant, *rule->fallback) != t.key) {
            Job moved = std::move(*it);
            it = t.queue.erase(it);
            s.pending.fetch_sub(1, std::memory_order_relaxed);
            moved.dest = &*rule->fallback;
            moved.attempts = 0;
            moved.not_before = {};
            enqueue(s, std::move(moved));
          } else {
            ++it;
          }
        }
        if (!t.queue.empty()) arm(s, t, t.open_until);
        return;
      }
      t.breaker = Target::Breaker::half_open;
    }
    if (t.breaker == Target::Breaker::half_open && t.in_flight > 0) return;  // one probe

    auto ready = std::find_if(t.queue.begin(), t.queue.end(),
                              [&](const Job& j) { return j.not_before <= now; });
    if (ready == t.queue.end()) {
      TimePoint next = TimePoint::max();
      for (const Job& j : t.queue) next = std::min(next, j.not_before);
      arm(s, t, next);
      return;
    }

    if (settings.rate > 0) {
      if (!t.bucket_started) {
        t.tokens = settings.burst;
        t.refilled = now;
        t.bucket_started = true;
      }
      const double elapsed = std::chrono::duration<double>(now - t.refilled).count();
      t.tokens = std::min(settings.burst, t.tokens + elapsed * settings.rate);
      t.refilled = now;
      if (t.tokens < 1.0) {
        const auto wait = std::chrono::duration<double>((1.0 - t.tokens) / settings.rate);
        arm(s, t, now + std::chrono::duration_cast<std::chrono::nanoseconds>(wait));
        return;
      }
      t.tokens -= 1.0;
    }

    std::vector<Job> jobs;
    jobs.push_back(std::move(*ready));
    auto it = t.queue.erase(ready);
    if (t.type == DestinationType::webhook || t.type == DestinationType::kafka) {
      // Natural batching: ready notifications of the same rule queued behind this one.
      std::size_t alerts = jobs.front().n->alerts.size();
      const std::size_t max_alerts = jobs.front().dest->max_alerts;
      while (it != t.queue.end() && jobs.size() < kMaxBatchNotifications) {
        const bool same_rule = it->n->rule == jobs.front().n->rule;
        const bool fits = max_alerts == 0 || alerts + it->n->alerts.size() <= max_alerts;
        if (!same_rule || it->not_before > now || !fits) break;
        alerts += it->n->alerts.size();
        jobs.push_back(std::move(*it));
        it = t.queue.erase(it);
      }
    }
    send(s, t, std::move(jobs));
  }
}

void DeliveryEngine::send(Shard& s, Target& t, std::vector<Job> jobs) {
  const TimePoint now = now_();
  for (Job& j : jobs) {
    if (j.attempts++ == 0) j.first_attempt = now;
  }
  const Job& first = jobs.front();
  const alertgate::Destination& d = *first.dest;
  const FormatContext ctx{first.n->policy->tenant_id, settings_.external_url, settings_.mail_from,
                          now};
  const TransferLimits limits{d.delivery.connect_timeout, d.delivery.timeout};
  ++t.in_flight;
  ++s.in_flight;
  s.metrics->in_flight(type_index(t.type)).add();
  auto complete = [this, &s, &t, jobs](const SinkResult& result) mutable {
    s.metrics->in_flight(type_index(t.type)).sub();
    --t.in_flight;
    --s.in_flight;
    finished(s, t, std::move(jobs), result);
    unblock(s);
  };
  auto done = [complete, type = t.type](HttpResponse r) mutable {
    complete(classify_response(type, r));
  };
  // An empty spec means nothing to send (e.g. only resolves with send_resolved: false).
  // s.spec is reused for every request of the shard; the client copies the body into its
  // pooled transfer, whose buffer is reused too.
  HttpRequestSpec& spec = s.spec;
  auto post = [&] {
    if (!has_content(spec)) {
      HttpResponse nothing;
      nothing.status = 204;
      return done(std::move(nothing));
    }
    s.client.post(spec, limits, std::move(done));
  };
  switch (d.type) {
    case DestinationType::webhook: {
      std::vector<const Notification*> batch;
      batch.reserve(jobs.size());
      for (const Job& j : jobs) batch.push_back(j.n.get());
      format_webhook(batch, d, ctx, spec);
      post();
      break;
    }
    case DestinationType::slack:
      format_slack(*first.n, d, ctx, spec);
      post();
      break;
    case DestinationType::pagerduty:
      format_pagerduty(*first.n, d, ctx, spec);
      post();
      break;
    case DestinationType::opsgenie:
      format_opsgenie(*first.n, d, ctx, spec);
      post();
      break;
    case DestinationType::telegram:
      format_telegram(*first.n, d, ctx, spec);
      post();
      break;
    case DestinationType::email:
      if (settings_.smtp.url.empty()) {
        HttpResponse none;
        none.error = "no smtp.url in the main config";
        done(std::move(none));
        break;
      }
      if (MailSpec mail = format_email(*first.n, d, ctx); has_content(mail)) {
        s.client.send_mail(mail, settings_.smtp, limits, std::move(done));
      } else {
        HttpResponse nothing;
        nothing.status = 250;
        done(std::move(nothing));
      }
      break;
    case DestinationType::kafka: {
      if (settings_.kafka == nullptr) {
        HttpResponse none;
        none.error = "no kafka.brokers in the main config";
        done(std::move(none));
        break;
      }
      std::vector<Alert> alerts;
      for (const Job& j : jobs) {
        if (!should_send(*j.n, d)) continue;
        alerts.insert(alerts.end(), j.n->alerts.begin(), j.n->alerts.end());
      }
      // The reports come on the producer's thread: the outcome is handled on the shard's.
      settings_.kafka->deliver(alerts, d.topic, [&s, complete](SinkResult r) mutable {
        boost::asio::post(
            s.io, [complete = std::move(complete), r = std::move(r)]() mutable { complete(r); });
      });
      break;
    }
    case DestinationType::log: break;  // never queued
  }
}

void DeliveryEngine::unblock(Shard& s) {
  // Targets held back by the shard's bound get the freed slots, oldest first.
  while (!s.stopped && !s.blocked.empty() && s.in_flight < settings_.max_in_flight_per_shard) {
    Target* t = s.blocked.front();
    s.blocked.pop_front();
    t->blocked = false;
    pump(s, *t);
  }
}

std::size_t DeliveryEngine::pending(std::size_t shard) const {
  return shards_[shard]->pending.load(std::memory_order_relaxed);
}

std::size_t DeliveryEngine::pending_total() const {
  std::size_t n = 0;
  for (const auto& s : shards_) n += s->pending.load(std::memory_order_relaxed);
  return n;
}

void DeliveryEngine::stop(std::size_t shard) {
  Shard& s = *shards_[shard];
  s.stopped = true;
  std::size_t abandoned = 0;
  for (auto& [key, t] : s.targets) {
    abandoned += t->queue.size();
    for (const Job& j : t->queue) completion_of(j.n)->abandoned = true;
    t->queue.clear();
    t->timer.cancel();
  }
  s.client.stop();  // in-flight callbacks run now, see `stopped`
  if (abandoned != 0) {
    log::warn("shutdown: notifications not delivered",
              {{"shard", shard}, {"abandoned", abandoned}});
  }
  s.pending.store(0, std::memory_order_relaxed);
}

}  // namespace alertgate
