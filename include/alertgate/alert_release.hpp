// AlertReleaser: with `durability: wal`, an accepted alert's log record (Alert::wal_segment)
// is owned by exactly one place at a time -- the dispatcher's active entry until a group
// notification takes it, then that notification until every delivery of it is final -- and
// that place calls release() once when the record is no longer needed: the alert's
// deliveries ended (delivered or dead-lettered), or there was nothing to deliver (a re-send
// of an alert already notified, no rule took it, a newer version superseded it).
//
// Thread: release() is called on shard threads; implementations must be thread-safe.
#pragma once

#include "alertgate/alert.hpp"

namespace alertgate {

class AlertReleaser {
 public:
  virtual ~AlertReleaser() = default;
  virtual void release(const Alert& alert) = 0;
};

// Releases `alert`'s record if it holds one, and marks it released (wal_segment = 0), so a
// copy or a later call cannot release it twice. `releaser` may be null (durability: memory).
inline void release_record(AlertReleaser* releaser, Alert& alert) {
  if (alert.wal_segment == 0) return;
  if (releaser != nullptr) releaser->release(alert);
  alert.wal_segment = 0;
}

}  // namespace alertgate
