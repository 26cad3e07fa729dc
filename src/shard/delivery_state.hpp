// DeliveryEngine's per-shard state (private to src/shard).
#pragma once

#include <xxhash.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <cassert>
#include <deque>
#include <functional>
#include <random>
#include <unordered_map>

#include "alertgate/delivery_engine.hpp"

namespace alertgate {

// One delivery of one notification to one destination.
struct DeliveryEngine::Job {
  std::shared_ptr<const Notification> n;         // shared by the rule's destinations
  const alertgate::Destination* dest = nullptr;  // inside n->policy (kept alive by n)
  TenantIndex tenant = 0;
  std::uint32_t attempts = 0;
  TimePoint enqueued{};
  TimePoint first_attempt{};
  TimePoint not_before{};  // backoff
};

// The deleter of a shared Notification: runs when its last delivery job is gone, i.e.
// every delivery of it is final (or was abandoned at shutdown). Then its alerts' log
// records are released -- unless a dead letter of it could not be stored (keep_records:
// the next start replays the alerts instead) -- and a replay's `done` learns the result.
// Written only by holders of the notification; read by the deleter after the last
// reference is gone (the reference count's release/acquire orders it).
struct DeliveryEngine::Completion {
  AlertReleaser* releaser = nullptr;
  std::function<void(bool finished)> done;
  bool keep_records = false;
  bool abandoned = false;
  void operator()(const Notification* p) const {
    if (!keep_records && releaser != nullptr) {
      for (const Alert& a : p->alerts) {
        if (a.wal_segment != 0) releaser->release(a);
      }
    }
    if (done) done(!abandoned);
    delete p;
  }
};

// One destination of one tenant: its queue and the state that paces it.
struct DeliveryEngine::Target {
  explicit Target(boost::asio::io_context& io) : timer(io) {}
  std::uint64_t key = 0;
  TenantIndex tenant = 0;
  DestinationType type = DestinationType::webhook;
  std::string label;  // describe(): for logs and metrics
  std::deque<Job> queue;
  std::uint32_t in_flight = 0;
  // Token bucket (rate_limit); refilled lazily.
  double tokens = 0;
  TimePoint refilled{};
  bool bucket_started = false;
  // Circuit breaker.
  enum class Breaker : std::uint8_t { closed, open, half_open } breaker = Breaker::closed;
  std::uint32_t failures = 0;  // consecutive retryable failures
  TimePoint open_until{};
  BreakerGauge* gauge = nullptr;
  // One timer per destination for whatever it waits for (tokens, backoff, cool-down).
  boost::asio::steady_timer timer;
  TimePoint armed_for = TimePoint::max();
  bool blocked = false;  // waiting for the shard's in-flight bound
  bool dirty = false;    // in Shard::dirty: to be pumped at the end of this reactor turn
};

struct DeliveryEngine::Shard {
  Shard(boost::asio::io_context& io_, ReactorMetrics& m, std::uint64_t seed)
      : io(io_), client(io_), metrics(&m), rng(seed) {}
  boost::asio::io_context& io;
  HttpClient client;
  ReactorMetrics* metrics;
  std::mt19937_64 rng;  // backoff jitter
  std::unordered_map<std::uint64_t, std::unique_ptr<Target>> targets;
  std::atomic<std::size_t> pending{0};  // jobs queued or in flight
  std::size_t in_flight = 0;            // requests, every target together
  HttpRequestSpec spec;                 // reused by every request of this shard
  std::deque<Target*> blocked;          // targets waiting for in_flight to drop
  std::vector<Target*> dirty;           // targets with new jobs, pumped by one posted flush
  bool flush_posted = false;
  bool stopped = false;
};

// The identity the loader stored (Destination::identity). A policy built by hand must have
// been through assign_destination_identities(); debug builds check that it was.
inline std::uint64_t stored_identity(const alertgate::Destination& d) {
  assert(d.identity == destination_identity(d));
  return d.identity;
}

// A destination of one tenant: a named destination used by several rules is one target;
// so is the same inline one.
inline std::uint64_t destination_key(TenantIndex tenant, const alertgate::Destination& d) {
  const std::uint64_t identity = stored_identity(d);
  return XXH3_64bits_withSeed(&identity, sizeof identity, tenant);
}

}  // namespace alertgate
