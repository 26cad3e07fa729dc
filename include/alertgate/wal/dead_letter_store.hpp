// wal::DeadLetterStore: the durable dead-letter store of issue 6. Deliveries that finally
// failed are kept (data_dir/deadletters/) so an operator can list, replay and purge them.
//
// Owns: the directory `dir` (one file per letter, format in dead_letter_codec.hpp, plus
// dir/quarantine/ for files that do not decode), an in-memory index of every letter (all
// fields, alerts included: dead letters are rare by construction) and one thread, the
// store thread, which does all file I/O and the periodic retention sweep.
//
// Threads: every public member may be called from any thread, except stop() from the store
// thread (i.e. from a `stored` callback). add(), list(), begin_replay(), end_replay(),
// purge() and stats() take one mutex for the index and never wait for I/O.
//
// Durability: a letter is written as <name>.tmp, fdatasync'd, renamed to <name> and the
// directory fsync'd, so a crash leaves either no file or the whole letter. Deletions
// (purge, end_replay(remove), retention) change the index at once and unlink the file on
// the store thread, then fsync the directory; a crash in between brings the letter back on
// the next open (at least once, never lost).
//
// Errors: open() fails (message names the path and the system error) when the directory
// cannot be created or read. A file that does not decode is moved to dir/quarantine/,
// logged (log::error with the file and the decoder's field/offset) and counted, never
// silently skipped. A write that fails is logged, counted in write_errors and reported
// through stored(false); the letter stays listed (durable=false) and can still be
// replayed, but is lost on restart. A failed unlink is logged and counted the same way.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alertgate/dead_letters.hpp"
#include "alertgate/result.hpp"
#include "alertgate/time.hpp"

namespace alertgate::wal {

struct DeadLetterOptions {
  std::filesystem::path dir;  // data_dir/deadletters; empty = memory only (tests)
  // Retention: letters whose failed_at is older than max_age, and the oldest (lowest id)
  // beyond max_count, are deleted: at open, after each add and every sweep_interval.
  // Letters being replayed are never evicted.
  std::chrono::seconds max_age{7 * 24 * 3600};
  std::size_t max_count = 100000;
  std::chrono::milliseconds sweep_interval{60'000};  // steady time between periodic sweeps
  // Wall clock for max_age (and an unset failed_at); empty = alertgate::now(). Called from
  // any thread that calls add() and from the store thread: it must be thread-safe.
  std::function<TimePoint()> now;
};

// Which letters an operation applies to; an empty string / 0 matches any.
struct DeadLetterFilter {
  std::string tenant_id;
  std::string destination;  // equal to the letter's destination_name or destination
  std::uint64_t id = 0;
  bool matches(const DeadLetter& letter) const;
};

// One letter as list() shows it.
struct ListedDeadLetter {
  DeadLetter letter;
  bool replaying = false;  // between begin_replay() and end_replay()
  bool durable = false;    // its file is written and synced (memory only: always false)
};

struct DeadLetterStats {
  std::uint64_t added = 0;         // add() calls since open
  std::uint64_t loaded = 0;        // letters read from disk by open()
  std::uint64_t stored = 0;        // letters in the store now
  std::uint64_t replaying = 0;     // of those, being replayed now
  std::uint64_t evicted = 0;       // deleted by retention (age or count)
  std::uint64_t purged = 0;        // deleted by purge()
  std::uint64_t replayed = 0;      // deleted by end_replay(id, true)
  std::uint64_t write_errors = 0;  // failed writes, syncs or unlinks (each logged)
  std::uint64_t quarantined = 0;   // files moved to dir/quarantine/ by open()
};

class DeadLetterStore final : public DeadLetterSink {
 public:
  // Creates `dir` if needed, loads every <id>.dl file in it (new ids continue after the
  // highest id found, corrupt files included), quarantines the ones that do not decode,
  // deletes leftover .tmp files (writes a crash interrupted: never reported stored),
  // applies retention and starts the store thread. Memory only when options.dir is empty.
  static Result<std::unique_ptr<DeadLetterStore>> open(DeadLetterOptions options);
  ~DeadLetterStore() override;  // stop()
  DeadLetterStore(const DeadLetterStore&) = delete;
  DeadLetterStore& operator=(const DeadLetterStore&) = delete;

  // Assigns letter.id (returned; increasing), sets failed_at to now() when it is unset
  // (TimePoint{}), lists the letter at once and queues its write. `stored(durable)` runs
  // once on the store thread: durable=true after the file and directory are synced,
  // false after a write error (logged, counted). Memory only: stored(true) on the store
  // thread once the add is dequeued (nothing to write). After stop(): the letter is kept
  // in memory only and stored(false) runs at once on the calling thread (counted).
  // `stored` must not block; it must not call stop().
  std::uint64_t add(DeadLetter letter, std::function<void(bool durable)> stored = {}) override;

  // The newest (highest id) first; at most `limit`.
  std::vector<ListedDeadLetter> list(const DeadLetterFilter& filter, std::size_t limit) const;

  // The matching letters not already being replayed, oldest first (delivery order), at
  // most `limit`; they are marked replaying until end_replay(), so a second begin_replay()
  // does not return them, and purge() and retention leave them alone.
  std::vector<DeadLetter> begin_replay(const DeadLetterFilter& filter, std::size_t limit);
  // The replayed delivery of letter `id` reached a final outcome: remove=true deletes the
  // letter (its file on the store thread), false unmarks it (it stays). Returns false when
  // `id` is not being replayed (unknown, or no begin_replay() returned it).
  bool end_replay(std::uint64_t id, bool remove);

  // Deletes the matching letters that are not being replayed (files on the store thread);
  // returns how many.
  std::size_t purge(const DeadLetterFilter& filter);

  DeadLetterStats stats() const;

  // Any thread but the store thread; idempotent. Finishes every queued write and deletion
  // (calling their callbacks), then joins the store thread. Afterwards the index still
  // answers, but nothing reaches the disk: a purge or end_replay(remove) after stop()
  // leaves the file (the letter returns on the next open).
  void stop();

 private:
  struct Entry {
    DeadLetter letter;
    bool replaying = false;
    bool durable = false;
  };
  // One unit of work for the store thread.
  struct Op {
    enum class Kind : std::uint8_t { write, remove } kind = Kind::write;
    std::uint64_t id = 0;
    std::string bytes;  // write: the encoded file
    std::function<void(bool)> stored;
    bool evicted = false;  // remove: by retention (the thread logs one line per sweep)
  };

  explicit DeadLetterStore(DeadLetterOptions options);
  TimePoint now() const;
  // Index (caller holds mutex_): deletes letters beyond max_age / max_count, queues their
  // removal; returns how many. `full`: look at every letter, not only the oldest ones.
  std::size_t apply_retention_locked(TimePoint now, bool full);
  void remove_locked(std::map<std::uint64_t, Entry>::iterator it, bool evicted);

  // open(): the directory scan (no thread yet).
  Result<bool> load();
  void quarantine(const std::filesystem::path& file, const std::string& why);

  // Store thread.
  void run();
  void process(std::deque<Op>& ops);
  bool write_file(const Op& op);
  bool remove_file(std::uint64_t id);

  DeadLetterOptions options_;
  std::filesystem::path quarantine_dir_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::uint64_t, Entry> letters_;  // by id: oldest first
  std::deque<Op> queue_;
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;
  bool stopped_ = false;  // the thread is gone: add() keeps letters in memory only
  DeadLetterStats stats_;

  std::once_flag stop_once_;
  std::thread thread_;
};

}  // namespace alertgate::wal
