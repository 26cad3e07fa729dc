// AlertReleaser: with `durability: wal`, an accepted alert's log record (Alert::wal_segment)
// is owned by exactly one place at a time -- the dispatcher's active entry until a group
// notification takes it, then that notification until every delivery of it is final -- and
// that place calls release() once when the record is no longer needed: the alert's
// deliveries ended (delivered or dead-lettered), or there was nothing to deliver (a re-send
// of an alert already notified, no rule took it, a newer version superseded it).
//
// With several destinations, each one's final outcome is recorded too (delivery_final), so a
// replay after a restart redoes only the destinations that had not finished
// (already_final).
//
// Thread: every method is called on shard threads; implementations must be thread-safe.
#pragma once

#include <cstdint>

#include "alertgate/alert.hpp"

namespace alertgate {

class AlertReleaser {
 public:
  virtual ~AlertReleaser() = default;
  virtual void release(const Alert& alert) = 0;
  // The delivery of `alert` to the destination with `destination` (destination_identity())
  // is final: delivered, or dead-lettered when `delivered` is false.
  virtual void delivery_final(const Alert& alert, std::uint64_t destination, bool delivered) = 0;
  // True when a previous process already finished `alert`'s delivery to `destination`.
  virtual bool already_final(const Alert& alert, std::uint64_t destination) const = 0;
};

// Releases `alert`'s record if it holds one, and marks it released (wal_segment = 0), so a
// copy or a later call cannot release it twice. `releaser` may be null (durability: memory).
inline void release_record(AlertReleaser* releaser, Alert& alert) {
  if (alert.wal_segment == 0) return;
  if (releaser != nullptr) releaser->release(alert);
  alert.wal_segment = 0;
}

}  // namespace alertgate
