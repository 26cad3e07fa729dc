// WalWriter: one shard's write-ahead log, with group commit on its own thread.
//
// Owns the shard's directory data_dir/wal/<shard>/, its open segment file and one thread
// (the WAL thread). Any thread (the reactors) may call append(), record_outcome(),
// complete() and healthy(): they encode the record on the calling thread, push it into a
// lock-free MPSC queue and wake the WAL thread; they never block on I/O.
//
// The WAL thread collects what arrives for up to `commit_interval` after the first record
// of a batch (or until `max_batch_bytes`), writes the batch with one write(), fdatasync()s
// once and then calls every append's callback, in submission order per submitting thread.
//
// Segments roll at `segment_bytes`. A segment is deleted (on the WAL thread) once it is
// closed, every alert in it was complete()d, and every older segment of the shard is gone;
// the last rule keeps each outcome/done record on disk as long as the alert it refers to.
// So one alert that stays undelivered (held back by inhibition or a mute window, or
// retrying) would keep every later segment on disk: compaction bounds that. When more than
// `compact_after_segments` closed segments remain and the oldest holds few live alerts (at
// most `compact_live_ratio` of its alert records), their records (and outcome records) are
// copied into the open segment, synced, and the oldest segment is deleted. A ticket of the
// deleted segment stays valid: complete() follows it to where its alert moved.
//
// Errors: if a write or fdatasync fails (ENOSPC, EIO, ...), every append of that batch
// fails with the error, the file is truncated back to the last synced offset and the
// writer turns unhealthy: appends fail at once with the same error (callers answer 503)
// while the WAL thread probes every `retry_interval` (truncate, write and sync a block,
// truncate again). When a probe succeeds the writer is healthy again by itself.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>
#include <system_error>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/result.hpp"
#include "alertgate/wal/record.hpp"

namespace alertgate::wal {

// Which segment holds an alert; complete() it once every delivery is final.
struct WalTicket {
  std::uint64_t segment = 0;  // 0: no segment (not durable, or replayed from quarantine)
  bool valid() const { return segment != 0; }
  friend bool operator==(const WalTicket&, const WalTicket&) = default;
};

// Called on the WAL thread after the batch holding the record was synced (ec empty,
// ticket valid) or failed (ec set, ticket invalid). Must not block: post to a reactor.
using AppendCallback = std::function<void(std::error_code, WalTicket)>;

// The I/O steps a test may fail (WalOptions::fault_hook).
enum class WalIo { write, sync, create };

// A segment that replay found still holding alerts (see replay.hpp).
struct RecoveredSegment {
  std::uint64_t seq = 0;
  std::size_t live_alerts = 0;          // replayed alerts that will be complete()d
  std::size_t alert_records = 0;        // alert records in the segment, live or not
  std::vector<std::uint64_t> live_ids;  // alert_id_hash() of the live ones
};

// The hash by which the writer tracks which alerts of a segment are live.
std::uint64_t alert_id_hash(std::string_view alert_id);

struct WalOptions {
  std::filesystem::path dir;  // data_dir/wal; the writer uses dir/<shard>/
  std::uint32_t shard = 0;
  std::size_t segment_bytes = 64u << 20;
  std::chrono::microseconds commit_interval{1000};  // see src/wal/README.md
  std::size_t max_batch_bytes = 4u << 20;
  std::chrono::milliseconds retry_interval{1000};
  std::size_t compact_after_segments = 4;  // closed segments kept before compacting
  double compact_live_ratio = 0.25;        // compact the oldest when at most this is live
  // From replay_wal(): the shard's surviving segments. New segments number after the
  // highest existing one either way.
  std::vector<RecoveredSegment> recovered;
  // Tests only: called before each I/O step; a non-empty error makes the step fail with it.
  std::function<std::error_code(WalIo)> fault_hook;
};

struct WalStats {
  std::uint64_t appended = 0;  // alert records synced
  std::uint64_t append_failures = 0;
  std::uint64_t commits = 0;  // fdatasync calls that succeeded
  std::uint64_t bytes_written = 0;
  std::uint64_t segments_created = 0;
  std::uint64_t segments_deleted = 0;
  std::uint64_t io_errors = 0;
  std::uint64_t segments = 0;       // segment files of the shard now (replayed ones included)
  std::uint64_t compactions = 0;    // segments compacted away
  std::uint64_t records_moved = 0;  // alert records copied forward by compaction
};

class WalWriter {
 public:
  // Creates dir/<shard>/ if needed, opens a new segment and starts the WAL thread.
  // Errors name the path and the system error.
  static Result<std::unique_ptr<WalWriter>> open(WalOptions options);
  ~WalWriter();  // stop()
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // Any thread. Logs `alert`; `done` runs once on the WAL thread (or, after stop(), on the
  // calling thread with std::errc::operation_canceled).
  void append(const Alert& alert, AppendCallback done);
  // Any thread; fire and forget (a lost outcome record only means a repeated delivery
  // after a crash). One final outcome of one destination of a logged alert.
  void record_outcome(const OutcomeRecord& outcome);
  // Any thread: every delivery of the alert with `ticket` is final. Logs a done record and
  // releases the alert's hold on its segment. Call once per successful append / replayed
  // alert with a valid ticket; an invalid ticket only logs the record.
  void complete(WalTicket ticket, std::string_view alert_id);

  // Any thread: false between an I/O error and the next successful probe or batch.
  bool healthy() const;
  std::error_code last_error() const;
  WalStats stats() const;
  std::uint32_t shard() const;

  // Any thread except the WAL thread; idempotent. Writes and syncs everything queued
  // before it, calls its callbacks, closes the segment and joins the thread.
  void stop();

  class Impl;

 private:
  explicit WalWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace alertgate::wal
