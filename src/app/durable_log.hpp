// DurableLog: `durability: wal` in the app. Owns one WalWriter per shard under
// data_dir/wal/, replays what a previous process acknowledged but had not routed, and
// tells the writers when an alert reached its dispatcher.
//
// Guarantee: an acknowledged alert is in the log (fdatasync'd) before the 200/202, and is
// replayed after a crash or kill -9 until its record is released (alert_release.hpp): its
// deliveries reached a final outcome (delivered or dead-lettered), or there was nothing to
// deliver. At-least-once: a replayed alert whose delivery happened just before the crash
// is delivered again (stable dedup keys collapse it at receivers). After a clean shutdown
// whatever was still undelivered is replayed too.
//
// Threads: open() and resubmit() on the control thread before/while the reactors start;
// writer() from any thread; routed() on shard threads; stop() on the control thread after
// the reactors stopped.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "alertgate/alert_release.hpp"
#include "alertgate/policy_snapshot.hpp"
#include "alertgate/result.hpp"
#include "alertgate/shard.hpp"
#include "alertgate/wal/replay.hpp"
#include "alertgate/wal/wal_writer.hpp"

namespace alertgate {

class DurableLog final : public AlertReleaser {
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

  // Shard threads: the alert's record is complete (AlertReleaser). Ignored after closing().
  void release(const Alert& alert) override;
  // Shard threads: outcome records; and the destinations a previous process had finished
  // for a replayed alert (kept until the alert is released).
  void delivery_final(const Alert& alert, std::uint64_t destination, bool delivered) override;
  bool already_final(const Alert& alert, std::uint64_t destination) const override;
  // Control thread, before in-flight deliveries are cancelled at shutdown: from now on
  // nothing is released, so what was cut short is replayed by the next start.
  void closing() { closing_.store(true, std::memory_order_release); }

  void stop();

 private:
  DurableLog() = default;
  std::vector<std::unique_ptr<wal::WalWriter>> writers_;
  std::vector<wal::ReplayedAlert> replayed_;
  std::atomic<bool> closing_{false};
  // alert_id -> destinations already final before the restart; `has_finals_` lets the
  // common case (nothing replayed) skip the lock.
  mutable std::mutex finals_mutex_;
  std::unordered_map<std::string, std::vector<std::uint64_t>> finals_;
  std::atomic<bool> has_finals_{false};
};

}  // namespace alertgate
