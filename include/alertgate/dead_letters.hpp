// Dead letters: notifications whose delivery finally failed (a final 4xx, or retries used
// up), kept so an operator can list, replay and purge them (/api/v1/deadletters) instead
// of losing them. The value type and the seam the delivery engine writes through; the
// store is wal::DeadLetterStore (include/alertgate/wal/dead_letter_store.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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
  // The notification's group, so a replay renders the same group key (PagerDuty dedup_key,
  // Opsgenie alias, webhook groupKey) and the receiver collapses it with the original.
  std::uint64_t group_key = 0;
  LabelSet group_labels;
  std::string reason;  // the last outcome: "HTTP 400: invalid_payload", "timeout", ...
  std::uint32_t attempts = 0;
  TimePoint first_attempt{};
  TimePoint failed_at{};
  std::vector<Alert> alerts;  // the notification's alerts (wal_segment always 0 here)
};

// Where the delivery engine puts what finally failed (wal::DeadLetterStore: durable, under
// data_dir/deadletters/). add() never blocks; `stored(durable)` runs once the letter is on
// disk (true) or could not be written (false), on the store's own thread.
class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  // Any thread. Returns the id given to the letter.
  virtual std::uint64_t add(DeadLetter letter, std::function<void(bool durable)> stored) = 0;
};

}  // namespace alertgate
