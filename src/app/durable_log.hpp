// DurableLog: `durability: wal` in the app. Owns one WalWriter per shard under
// data_dir/wal/<n>/ (each directory locked by this process, wal/dir_lock.hpp), replays what
// a previous process acknowledged but had not finished, adopts the logs of processes that
// exit while this one runs (a zero-downtime restart), and records outcomes and releases.
//
// Guarantee: an acknowledged alert is in the log (fdatasync'd) before the 200/202, and is
// replayed after a crash or kill -9 until its record is released (alert_release.hpp): its
// deliveries reached a final outcome (delivered or dead-lettered), or there was nothing to
// deliver. At-least-once: a replayed alert whose delivery happened just before the crash
// is delivered again (stable dedup keys collapse it at receivers); with several
// destinations, those whose outcome was recorded are not redone. After a clean shutdown
// whatever was still undelivered is replayed too -- by the next start, or by a process
// already running on the same data_dir, which adopts it within a second of the exit.
//
// Threads: open(), resubmit(), adopt_orphans() and stop() on the control thread;
// writer() from any thread; release(), delivery_final(), already_final() on shard threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "alertgate/alert_release.hpp"
#include "alertgate/policy_snapshot.hpp"
#include "alertgate/result.hpp"
#include "alertgate/shard.hpp"
#include "alertgate/wal/dir_lock.hpp"
#include "alertgate/wal/notify_log_codec.hpp"
#include "alertgate/wal/replay.hpp"
#include "alertgate/wal/wal_writer.hpp"

namespace alertgate {

// Where replayed and adopted alerts go: their tenant's home shard (standalone) or Kafka
// (mode: ingest, kafka/wal_forwarder.hpp). True when taken -- its record is released
// later, through the AlertReleaser -- false when refused: the record stays for the next
// start.
using ReplayTarget = std::function<bool(TenantIndex tenant, Alert& alert)>;
// Standalone: the tenant's home shard (refused when its queue is full).
inline ReplayTarget shard_target(ShardSet& shards) {
  return [&shards](TenantIndex tenant, Alert& alert) {
    return shards.submit(tenant, std::span<Alert>(&alert, 1)) == ShardSet::Submit::ok;
  };
}

class DurableLog final : public AlertReleaser {
 public:
  // Locks and replays every shard directory of data_dir/wal that no running process holds
  // (every truncation or quarantine is logged), and opens a writer per shard -- at least
  // `shards`, more if an earlier run had more (their logs must drain). Directories locked
  // by another process are left alone; this one takes new numbers.
  // `base` carries the writers' settings (commit interval, batch and segment size); its
  // dir, shard and recovered fields are filled in here.
  static Result<std::unique_ptr<DurableLog>> open(const std::filesystem::path& data_dir,
                                                  unsigned shards, wal::WalOptions base = {});
  ~DurableLog() override;

  // The writer reactor `shard` appends to.
  wal::WalWriter& writer(unsigned shard) { return *owned_[shard].writer; }
  // True when every writer is healthy (the /-/ready condition for the log).
  bool healthy() const;
  // Any thread: the writers' counters, summed.
  wal::WalStats stats() const;
  // Any thread: repairs made by replay (at open and adoption): torn tails truncated,
  // segments quarantined.
  std::uint64_t tails_truncated() const { return truncated_.load(std::memory_order_relaxed); }
  std::uint64_t segments_quarantined() const {
    return quarantined_.load(std::memory_order_relaxed);
  }

  // Hands the replayed alerts to `target` (blocking until re-logged when their segment was
  // quarantined). Alerts of tenants that no longer exist are completed and counted in the
  // log line. Returns how many were resubmitted.
  std::size_t resubmit(const PolicySnapshot& snapshot, const ReplayTarget& target);

  // The notification log the previous owner of this process's directories wrote at its
  // shutdown (write_notify_log), read once at open: seed the dispatchers with it before
  // resubmit(). Replayed alerts are marked (Alert::replayed) so the seed never counts them
  // as notified: their delivery had not finished.
  std::vector<wal::NotifyLogEntry> take_notify_log();
  // Control thread, at shutdown: writes this process's notification log into its first
  // directory (temp file, fdatasync, rename), for whoever takes the directory over.
  void write_notify_log(const std::vector<wal::NotifyLogEntry>& entries);

  // Adopts the shard directories whose owner has exited since (their lock is free): their
  // unfinished alerts are logged again in this process's log, routed, and the directory is
  // removed (a quarantine folder in it is kept, renamed). Returns how many alerts were
  // adopted. Call it every second or so once ready.
  // `seed` gets the adopted directory's notification log before its alerts are routed.
  std::size_t adopt_orphans(const PolicySnapshot& snapshot, const ReplayTarget& target,
                            const std::function<void(std::vector<wal::NotifyLogEntry>)>& seed);

  void release(const Alert& alert) override;
  void delivery_final(const Alert& alert, std::uint64_t destination, bool delivered) override;
  bool already_final(const Alert& alert, std::uint64_t destination) const override;
  // Control thread, before in-flight deliveries are cancelled at shutdown: from now on
  // nothing is released, so what was cut short is replayed by the next start.
  void closing() { closing_.store(true, std::memory_order_release); }

  void stop();

 private:
  struct Owned {
    std::uint32_t dir = 0;
    wal::DirLock lock;
    std::unique_ptr<wal::WalWriter> writer;
  };
  DurableLog() = default;
  wal::WalWriter* writer_for(std::uint32_t dir) const;
  // Logs `alerts` again in this process's writers (round robin over the first `shards_`),
  // waiting for the sync. Alerts that fail to log keep wal_segment 0.
  void relog(std::vector<wal::ReplayedAlert*>& alerts);
  std::size_t submit(std::vector<wal::ReplayedAlert>& alerts, const PolicySnapshot& snapshot,
                     const ReplayTarget& target, const char* what);

  std::filesystem::path dir_;
  unsigned shards_ = 0;
  std::vector<Owned> owned_;             // reactor k appends to owned_[k]
  std::vector<wal::WalWriter*> by_dir_;  // index: directory number (sparse)
  std::vector<wal::ReplayedAlert> replayed_;
  std::vector<wal::NotifyLogEntry> notify_log_;
  std::atomic<bool> closing_{false};
  std::atomic<std::uint64_t> truncated_{0};
  std::atomic<std::uint64_t> quarantined_{0};
  // alert_id -> destinations already final before the restart; `has_finals_` lets the
  // common case (nothing replayed) skip the lock.
  mutable std::mutex finals_mutex_;
  std::unordered_map<std::string, std::vector<std::uint64_t>> finals_;
  std::atomic<bool> has_finals_{false};
};

}  // namespace alertgate
