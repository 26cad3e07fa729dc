// WalWriter::Impl: the shard's WAL thread, its queue and its files (private to the stage).
// submit(), healthy(), last_error(), stats() and stop() are called from any thread; every
// other member runs on the WAL thread only (or in start(), before the thread exists).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include <concurrentqueue/blockingconcurrentqueue.h>

#include "alertgate/wal/wal_writer.hpp"
#include "wal/segment_file.hpp"

namespace alertgate::wal {

struct WalOp {
  enum class Kind : std::uint8_t { append, outcome, done, stop };
  Kind kind = Kind::append;
  std::string bytes;          // one framed record (empty: nothing to write)
  AppendCallback callback;    // append only
  std::uint64_t segment = 0;  // done: the alert's segment to release
  std::uint64_t id_hash = 0;  // append, done: alert_id_hash() of the alert
};

class WalWriter::Impl {
 public:
  explicit Impl(WalOptions options);
  ~Impl();

  // Creates the directory and the first segment, adopts recovered segments, starts the
  // thread.
  Result<bool> start();
  void submit(WalOp op);
  void stop();

  bool healthy() const { return healthy_.load(std::memory_order_acquire); }
  std::error_code last_error() const;
  WalStats stats() const;
  std::uint32_t shard() const { return options_.shard; }

 private:
  using SteadyClock = std::chrono::steady_clock;

  struct Segment {
    std::size_t live = 0;  // alerts appended and not yet complete()d
    bool closed = false;
    std::size_t alert_records = 0;  // alerts appended, live or not
    // alert_id_hash -> live alerts with it (a count: two ids may share a hash; then both
    // records are kept by compaction until both are complete -- never fewer).
    std::unordered_map<std::uint64_t, std::uint32_t> live_ids;
  };

  void run();
  // Blocks for the next batch: the first op, then whatever arrives within commit_interval.
  // Returns false when the queue stays empty until `until` (probe time when unhealthy).
  bool collect(std::vector<WalOp>& batch, SteadyClock::time_point until);
  void commit(std::vector<WalOp>& batch);
  // Writes and syncs `buffer_` at the end of the open segment.
  std::error_code flush();
  std::error_code roll();
  std::error_code create_segment(std::uint64_t seq);
  std::error_code probe();
  void fail(std::error_code ec);
  void recovered();
  void release(std::uint64_t segment, std::uint64_t id_hash);
  // Copies the live records of the oldest segment forward and deletes it, when
  // WalOptions::compact_* say it is worth it (see wal_writer.hpp).
  void maybe_compact();
  void delete_finished_segments();
  std::error_code fault(WalIo io) const;

  WalOptions options_;
  std::filesystem::path shard_dir_;
  // Few spins before the semaphore sleeps: moodycamel's default (10,000) kept each idle
  // WAL thread spinning on a core the reactors need (2-core box: 12 % of the daemon's CPU).
  struct QueueTraits : moodycamel::ConcurrentQueueDefaultTraits {
    static const int MAX_SEMA_SPINS = 100;
  };
  moodycamel::BlockingConcurrentQueue<WalOp, QueueTraits> queue_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> submitters_{0};
  std::once_flag stop_once_;

  // WAL thread only.
  std::map<std::uint64_t, Segment> segments_;  // oldest first; the last is open
  // A compacted segment -> the segment its live alerts moved to (followed by release()).
  std::unordered_map<std::uint64_t, std::uint64_t> moved_to_;
  std::uint64_t open_seq_ = 0;
  detail::Fd fd_;
  std::uint64_t synced_size_ = 0;  // bytes of the open segment known durable
  std::string buffer_;
  SteadyClock::time_point next_retry_{};
  bool stop_seen_ = false;

  std::atomic<bool> healthy_{true};
  mutable std::mutex error_mutex_;
  std::error_code last_error_;

  struct AtomicStats {
    std::atomic<std::uint64_t> appended{0}, append_failures{0}, commits{0}, bytes_written{0},
        segments_created{0}, segments_deleted{0}, io_errors{0}, compactions{0}, records_moved{0},
        segments{0};
  } stats_;
};

}  // namespace alertgate::wal
