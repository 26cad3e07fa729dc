// wal::DeadLetterStore: file I/O. open()'s directory scan runs before the store thread
// exists; everything else here runs on the store thread.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

#include "alertgate/log.hpp"
#include "alertgate/wal/dead_letter_codec.hpp"
#include "alertgate/wal/dead_letter_store.hpp"
#include "wal/segment_file.hpp"

namespace alertgate::wal {

namespace fs = std::filesystem;
using detail::Fd;
using detail::last_errno;

namespace {

constexpr std::string_view kTmpSuffix = ".tmp";
// Name clashes in quarantine/ (the same id quarantined twice) get ".1", ".2", ...
constexpr int kMaxQuarantineSuffix = 1000;

std::span<const std::byte> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

Unexpected<Error> dir_error(std::string_view what, const fs::path& dir, std::error_code ec) {
  return unexpected(Error{"dead letters: cannot " + std::string(what) + " " + dir.string() + ": " +
                          ec.message()});
}

}  // namespace

Result<bool> DeadLetterStore::load() {
  const fs::path& dir = options_.dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return dir_error("create", dir, ec);
  std::uint64_t highest = 0;
  bool changed = false;  // an entry was moved or removed: the directory needs a sync
  fs::directory_iterator it(dir, ec);
  if (ec) return dir_error("read", dir, ec);
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path path = it->path();
    const std::string name = path.filename().string();
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;  // quarantine/ and anything not a file
    if (name.ends_with(kTmpSuffix) &&
        parse_dead_letter_name(std::string_view(name).substr(0, name.size() - kTmpSuffix.size()))) {
      // A write a crash interrupted before its rename: never reported stored, so dropping
      // it loses nothing that was acknowledged.
      std::error_code rm_ec;
      fs::remove(path, rm_ec);
      log::warn("dead letters: removed an unfinished write", {{"file", path.string()}});
      changed = true;
      continue;
    }
    const auto id = parse_dead_letter_name(name);
    if (!id) {
      log::warn("dead letters: ignoring a file that is not a dead letter",
                {{"file", path.string()}});
      continue;
    }
    highest = std::max(highest, *id);
    std::string bytes;
    if (auto read_ec = detail::read_whole_file(path, bytes)) {
      quarantine(path, "read failed: " + read_ec.message());
      changed = true;
      continue;
    }
    auto letter = decode_dead_letter(bytes_of(bytes));
    if (!letter.ok()) {
      quarantine(path, letter.error().message);
      changed = true;
      continue;
    }
    if (letter->id != *id) {
      quarantine(path, "id " + std::to_string(letter->id) + " in the file does not match its name");
      changed = true;
      continue;
    }
    letters_.emplace(*id, Entry{std::move(*letter), false, true});
    ++stats_.loaded;
  }
  if (ec) return dir_error("read", dir, ec);
  next_id_ = highest + 1;
  if (changed) {
    if (auto sync_ec = detail::sync_dir(dir)) return dir_error("sync", dir, sync_ec);
  }
  if (stats_.loaded > 0 || stats_.quarantined > 0) {
    log::info(
        "dead letters loaded",
        {{"dir", dir.string()}, {"letters", stats_.loaded}, {"quarantined", stats_.quarantined}});
  }
  return true;
}

void DeadLetterStore::quarantine(const fs::path& file, const std::string& why) {
  std::error_code ec;
  fs::create_directories(quarantine_dir_, ec);
  fs::path target = quarantine_dir_ / file.filename();
  for (int i = 1; !ec && fs::exists(target, ec) && i <= kMaxQuarantineSuffix; ++i) {
    target = quarantine_dir_ / (file.filename().string() + "." + std::to_string(i));
  }
  if (!ec) fs::rename(file, target, ec);
  if (!ec) ec = detail::sync_dir(quarantine_dir_);
  if (ec) {
    ++stats_.write_errors;
    log::error("dead letters: corrupt file could not be quarantined, left in place",
               {{"file", file.string()}, {"reason", why}, {"error", ec.message()}});
    return;
  }
  ++stats_.quarantined;
  log::error("dead letters: corrupt file quarantined",
             {{"file", file.string()}, {"reason", why}, {"moved_to", target.string()}});
}

void DeadLetterStore::run() {
  using SteadyClock = std::chrono::steady_clock;
  const auto interval = std::max(options_.sweep_interval, std::chrono::milliseconds(1));
  auto next_sweep = SteadyClock::now() + interval;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_until(lock, next_sweep, [this] { return !queue_.empty() || stopping_; });
    if (SteadyClock::now() >= next_sweep) {
      apply_retention_locked(now(), true);
      next_sweep = SteadyClock::now() + interval;
    }
    if (queue_.empty()) {
      if (stopping_) {
        stopped_ = true;  // under the lock: an add() after this never queues
        return;
      }
      continue;
    }
    std::deque<Op> ops;
    ops.swap(queue_);
    lock.unlock();
    process(ops);
    lock.lock();
  }
}

void DeadLetterStore::process(std::deque<Op>& ops) {
  struct Written {
    std::uint64_t id;
    bool ok;
    std::function<void(bool)> stored;
  };
  const bool memory_only = options_.dir.empty();
  std::vector<Written> written;
  std::uint64_t errors = 0;
  std::size_t evicted = 0;
  bool dir_changed = false;
  for (Op& op : ops) {
    if (op.kind == Op::Kind::write) {
      const bool ok = memory_only || write_file(op);
      if (!ok) ++errors;
      dir_changed = dir_changed || (ok && !memory_only);
      written.push_back({op.id, ok, std::move(op.stored)});
    } else {
      if (op.evicted) ++evicted;
      if (!memory_only) {
        if (remove_file(op.id)) {
          dir_changed = true;
        } else {
          ++errors;
        }
      }
    }
  }
  // One directory sync makes every rename and unlink of the batch durable.
  if (dir_changed) {
    if (auto ec = detail::sync_dir(options_.dir)) {
      log::error("dead letters: directory sync failed",
                 {{"dir", options_.dir.string()}, {"error", ec.message()}});
      for (Written& w : written) {
        if (w.ok) {
          w.ok = false;
          ++errors;
        }
      }
    }
  }
  {
    std::lock_guard lock(mutex_);
    stats_.write_errors += errors;
    for (const Written& w : written) {
      auto it = letters_.find(w.id);
      if (w.ok && !memory_only && it != letters_.end()) it->second.durable = true;
    }
  }
  if (evicted > 0) log::warn("dead letters evicted by retention", {{"count", evicted}});
  for (Written& w : written) {
    if (w.stored) w.stored(w.ok);
  }
}

bool DeadLetterStore::write_file(const Op& op) {
  const fs::path path = options_.dir / dead_letter_file_name(op.id);
  fs::path tmp = path;
  tmp += kTmpSuffix;
  const char* step = "create";
  std::error_code ec;
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) {
      ec = last_errno();
    } else if ((ec = detail::pwrite_all(fd.get(), op.bytes.data(), op.bytes.size(), 0))) {
      step = "write";
    } else if ((ec = detail::sync_data(fd.get()))) {
      step = "fdatasync";
    } else if (::close(fd.release()) != 0) {
      ec = last_errno();
      step = "close";
    }
  }
  if (!ec) {
    fs::rename(tmp, path, ec);
    step = "rename";
  }
  if (ec) {
    std::error_code rm_ec;
    fs::remove(tmp, rm_ec);
    log::error("dead letters: write failed, the letter is in memory only",
               {{"id", op.id}, {"file", path.string()}, {"step", step}, {"error", ec.message()}});
    return false;
  }
  return true;
}

bool DeadLetterStore::remove_file(std::uint64_t id) {
  const fs::path path = options_.dir / dead_letter_file_name(id);
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return true;  // ENOENT: never written
  const std::error_code ec = last_errno();
  log::error("dead letters: delete failed, the letter returns on restart",
             {{"id", id}, {"file", path.string()}, {"error", ec.message()}});
  return false;
}

}  // namespace alertgate::wal
