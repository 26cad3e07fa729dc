// DurableLog: `durability: wal` in the app. Owns one WalWriter per shard under
// data_dir/wal/, replays what a previous process acknowledged but had not routed, and
// tells the writers when an alert reached its dispatcher.
//
// Guarantee today: an acknowledged alert is in the log (fdatasync'd) before the 200/202,
// and is replayed after a crash or kill -9 until its shard's router has taken it into the
// dispatcher. Deliveries in flight at a crash are not redone yet: outcome tracking per
// destination is the next step (issue 6); the WAL library already records outcomes.
//
// Threads: open() and resubmit() on the control thread before/while the reactors start;
// writer() from any thread; routed() on shard threads; stop() on the control thread after
// the reactors stopped.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "alertgate/policy_snapshot.hpp"
#include "alertgate/result.hpp"
#include "alertgate/shard.hpp"
#include "alertgate/wal/replay.hpp"
#include "alertgate/wal/wal_writer.hpp"

namespace alertgate {

class DurableLog {
 public:
  // Replays data_dir/wal (every truncation or quarantine is logged) and opens a writer per
  // shard -- at least `shards`, more if an earlier run had more (their logs must drain).
  static Result<std::unique_ptr<DurableLog>> open(const std::filesystem::path& data_dir,
                                                  unsigned shards);

  wal::WalWriter& writer(unsigned shard) { return *writers_[shard]; }
  // True when every writer is healthy (the /-/ready condition for the log).
  bool healthy() const;

  // Hands the replayed alerts to their tenants' home shards (blocking until re-logged when
  // their segment was quarantined). Alerts of tenants that no longer exist are completed
  // and counted in the log line. Returns how many were resubmitted.
  std::size_t resubmit(const PolicySnapshot& snapshot, ShardSet& shards);

  // The router's hook: the alert's record is complete.
  void routed(const Alert& alert);

  void stop();

 private:
  DurableLog() = default;
  std::vector<std::unique_ptr<wal::WalWriter>> writers_;
  std::vector<wal::ReplayedAlert> replayed_;
};

}  // namespace alertgate
