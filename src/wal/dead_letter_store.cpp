// wal::DeadLetterStore: the in-memory index and the calls other threads make. File I/O
// lives in dead_letter_store_io.cpp (the store thread and open()'s directory scan).
#include "alertgate/wal/dead_letter_store.hpp"

#include <utility>

#include "alertgate/log.hpp"
#include "alertgate/wal/dead_letter_codec.hpp"

namespace alertgate::wal {

bool DeadLetterFilter::matches(const DeadLetter& d) const {
  if (!tenant_id.empty() && d.tenant_id != tenant_id) return false;
  if (!destination.empty() && d.destination_name != destination && d.destination != destination) {
    return false;
  }
  return id == 0 || d.id == id;
}

DeadLetterStore::DeadLetterStore(DeadLetterOptions options) : options_(std::move(options)) {
  if (!options_.dir.empty()) quarantine_dir_ = options_.dir / "quarantine";
}

Result<std::unique_ptr<DeadLetterStore>> DeadLetterStore::open(DeadLetterOptions options) {
  std::unique_ptr<DeadLetterStore> store(new DeadLetterStore(std::move(options)));
  if (!store->options_.dir.empty()) {
    if (auto loaded = store->load(); !loaded.ok()) return unexpected(std::move(loaded.error()));
  }
  {
    std::lock_guard lock(store->mutex_);
    store->apply_retention_locked(store->now(), true);
  }
  store->thread_ = std::thread([s = store.get()] { s->run(); });
  return store;
}

DeadLetterStore::~DeadLetterStore() { stop(); }

TimePoint DeadLetterStore::now() const { return options_.now ? options_.now() : alertgate::now(); }

std::uint64_t DeadLetterStore::add(DeadLetter letter, std::function<void(bool)> stored) {
  if (letter.failed_at == TimePoint{}) letter.failed_at = now();
  const TimePoint t = now();
  std::unique_lock lock(mutex_);
  const std::uint64_t id = next_id_++;
  letter.id = id;
  ++stats_.added;
  Op op;
  op.kind = Op::Kind::write;
  op.id = id;
  op.stored = std::move(stored);
  // Encoded here, under the lock, so the store thread never copies the letter; dead
  // letters are rare and small next to a delivery attempt.
  if (!options_.dir.empty()) encode_dead_letter(letter, op.bytes);
  letters_.emplace(id, Entry{std::move(letter), false, false});
  if (stopped_) {
    ++stats_.write_errors;
    auto callback = std::move(op.stored);
    apply_retention_locked(t, false);
    lock.unlock();
    log::error("dead-letter store stopped: letter kept in memory only", {{"id", id}});
    if (callback) callback(false);
    return id;
  }
  queue_.push_back(std::move(op));
  apply_retention_locked(t, false);
  lock.unlock();
  wake_.notify_one();
  return id;
}

std::vector<ListedDeadLetter> DeadLetterStore::list(const DeadLetterFilter& filter,
                                                    std::size_t limit) const {
  std::vector<ListedDeadLetter> out;
  std::lock_guard lock(mutex_);
  for (auto it = letters_.rbegin(); it != letters_.rend() && out.size() < limit; ++it) {
    const Entry& e = it->second;
    if (filter.matches(e.letter)) out.push_back({e.letter, e.replaying, e.durable});
  }
  return out;
}

std::vector<DeadLetter> DeadLetterStore::begin_replay(const DeadLetterFilter& filter,
                                                      std::size_t limit) {
  std::vector<DeadLetter> out;
  std::lock_guard lock(mutex_);
  for (auto& [id, e] : letters_) {
    if (out.size() >= limit) break;
    if (e.replaying || !filter.matches(e.letter)) continue;
    e.replaying = true;
    ++stats_.replaying;
    out.push_back(e.letter);
  }
  return out;
}

bool DeadLetterStore::end_replay(std::uint64_t id, bool remove) {
  {
    std::lock_guard lock(mutex_);
    auto it = letters_.find(id);
    if (it == letters_.end() || !it->second.replaying) return false;
    it->second.replaying = false;
    --stats_.replaying;
    if (!remove) return true;
    ++stats_.replayed;
    remove_locked(it, false);
  }
  wake_.notify_one();
  return true;
}

std::size_t DeadLetterStore::purge(const DeadLetterFilter& filter) {
  std::size_t n = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto it = letters_.begin(); it != letters_.end();) {
      auto next = std::next(it);
      if (!it->second.replaying && filter.matches(it->second.letter)) {
        remove_locked(it, false);
        ++n;
      }
      it = next;
    }
    stats_.purged += n;
  }
  if (n > 0) wake_.notify_one();
  return n;
}

DeadLetterStats DeadLetterStore::stats() const {
  std::lock_guard lock(mutex_);
  DeadLetterStats s = stats_;
  s.stored = letters_.size();
  return s;
}

void DeadLetterStore::remove_locked(std::map<std::uint64_t, Entry>::iterator it, bool evicted) {
  const std::uint64_t id = it->first;
  letters_.erase(it);
  // After stop() nothing runs the queue: the file stays and the letter returns on the next
  // open (at least once).
  if (stopped_) return;
  Op op;
  op.kind = Op::Kind::remove;
  op.id = id;
  op.evicted = evicted;
  queue_.push_back(std::move(op));
}

std::size_t DeadLetterStore::apply_retention_locked(TimePoint now, bool full) {
  std::size_t evicted = 0;
  const TimePoint cutoff = now - options_.max_age;
  std::size_t excess =
      letters_.size() > options_.max_count ? letters_.size() - options_.max_count : 0;
  // Oldest (lowest id) first: beyond max_count, or older than max_age. Letters being
  // replayed stay (and still count). failed_at mostly grows with the id, so a quick pass
  // (after add) stops at the first letter it keeps; the full pass (open, periodic sweep)
  // also finds an old letter behind a newer one.
  for (auto it = letters_.begin(); it != letters_.end();) {
    auto next = std::next(it);
    const Entry& e = it->second;
    if (!e.replaying && (excess > 0 || e.letter.failed_at < cutoff)) {
      if (excess > 0) --excess;
      remove_locked(it, true);
      ++evicted;
    } else if (!full && !e.replaying) {
      break;
    }
    it = next;
  }
  stats_.evicted += evicted;
  if (evicted > 0 && stopped_) {
    log::warn("dead letters evicted by retention", {{"count", evicted}});
  }
  return evicted;
}

void DeadLetterStore::stop() {
  std::call_once(stop_once_, [this] {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  });
}

}  // namespace alertgate::wal
