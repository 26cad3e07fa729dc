// DeadLetterStore: notifications whose delivery finally failed (a final 4xx, or retries
// used up), kept so an operator can see them (GET /api/v1/deadletters) instead of losing
// them. In memory, bounded (the oldest go first, counted); the WAL issue makes it durable.
//
// Threads: add() from any shard, list() from any reactor; one mutex (dead letters are rare
// by construction — a busy dead-letter path is itself the incident).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/time.hpp"

namespace alertgate {

struct DeadLetter {
  std::uint64_t id = 0;  // increasing, assigned by the store
  std::string tenant_id;
  std::string destination;       // "name: describe()" or describe(): secrets redacted
  std::string destination_name;  // a named destination's name, else empty
  std::string destination_type;  // "webhook", "slack", ...
  // Stable identities (hashes that survive restarts and reloads, no secret readable from
  // them): the destination (destination_identity()) and the rule (Rule::key), so a replay
  // finds the same destination in the current policy.
  std::uint64_t destination_key = 0;
  std::uint64_t rule_key = 0;
  std::string reason;  // the last outcome: "HTTP 400: invalid_payload", "timeout", ...
  std::uint32_t attempts = 0;
  TimePoint first_attempt{};
  TimePoint failed_at{};
  std::vector<Alert> alerts;  // the notification's alerts (wal_segment always 0 here)
};

class DeadLetterStore {
 public:
  explicit DeadLetterStore(std::size_t capacity = 10'000) : capacity_(capacity) {}

  void add(DeadLetter letter);
  // The newest first; `tenant_id` empty = every tenant. At most `limit`.
  std::vector<DeadLetter> list(std::string_view tenant_id, std::size_t limit) const;
  std::uint64_t total() const;    // ever added
  std::uint64_t evicted() const;  // dropped to stay within capacity (counted, logged)

  // {"dead_letters":[{...}],"total":N,"evicted":M}
  static std::string to_json(const std::vector<DeadLetter>& letters, std::uint64_t total,
                             std::uint64_t evicted);

 private:
  mutable std::mutex mutex_;
  std::deque<DeadLetter> letters_;
  std::size_t capacity_;
  std::uint64_t next_id_ = 1;
  std::uint64_t evicted_ = 0;
};

}  // namespace alertgate
