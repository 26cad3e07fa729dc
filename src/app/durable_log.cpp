#include "durable_log.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <set>
#include <string_view>

#include "alertgate/log.hpp"

namespace alertgate {

namespace fs = std::filesystem;

namespace {

Error log_error(const fs::path& path, const std::error_code& ec) {
  return Error{"write-ahead log: " + path.string() + ": " + ec.message()};
}

// The numbered shard directories of data_dir/wal.
Result<std::vector<std::uint32_t>> shard_dirs(const fs::path& dir) {
  std::vector<std::uint32_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::uint32_t n = 0;
    const auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (err == std::errc() && end == name.data() + name.size() && entry.is_directory()) {
      out.push_back(n);
    }
  }
  if (ec) return unexpected(log_error(dir, ec));
  std::sort(out.begin(), out.end());
  return out;
}

constexpr const char* kNotifyLogFile = "notify.log";

// Reads and removes dir/notify.log; a damaged one is logged and dropped (it only saves
// repeated notifications; losing it never loses an alert).
void read_notify_log(const fs::path& dir, std::vector<wal::NotifyLogEntry>& out) {
  const fs::path path = dir / kNotifyLogFile;
  std::error_code ec;
  if (!fs::exists(path, ec)) return;
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto log =
      wal::decode_notify_log({reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()});
  if (!log) {
    log::error("notification log unreadable: restarted groups may notify again",
               {{"file", path.string()}, {"error", log.error().message}});
  } else {
    out.insert(out.end(), std::make_move_iterator(log->begin()),
               std::make_move_iterator(log->end()));
  }
  fs::remove(path, ec);
}

void report_damage(const wal::ReplayResult& replay) {
  for (const wal::WalDamage& d : replay.damage) {
    // Never silent: every repair is logged with where and why.
    log::error(d.action == wal::DamageAction::truncated ? "write-ahead log tail truncated"
                                                        : "write-ahead log segment quarantined",
               {{"file", d.file.string()},
                {"moved_to", d.moved_to.string()},
                {"offset", static_cast<unsigned long long>(d.offset)},
                {"bytes_dropped", static_cast<unsigned long long>(d.bytes_dropped)},
                {"reason", d.reason}});
  }
}

}  // namespace

Result<std::unique_ptr<DurableLog>> DurableLog::open(const fs::path& data_dir, unsigned shards,
                                                     wal::WalOptions base) {
  const fs::path dir = data_dir / "wal";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return unexpected(log_error(dir, ec));
  auto existing = shard_dirs(dir);
  if (!existing) return unexpected(existing.error());

  // Ours: every directory no running process holds. The others belong to a process that
  // is still running (draining, during a restart); adopt_orphans() takes them once it exits.
  std::map<std::uint32_t, wal::DirLock> mine;
  std::size_t held_elsewhere = 0;
  for (const std::uint32_t n : *existing) {
    auto lock = wal::DirLock::try_lock(dir / std::to_string(n));
    if (!lock) return unexpected(Error{"write-ahead log: " + lock.error().message});
    if (*lock) {
      mine.emplace(n, std::move(**lock));
    } else {
      ++held_elsewhere;
    }
  }
  auto replay = wal::replay_wal(dir, [&mine](std::uint32_t n) { return mine.count(n) != 0; });
  if (!replay) return unexpected(Error{"write-ahead log: " + replay.error().message});
  report_damage(*replay);
  std::size_t truncated = 0, quarantined = 0;
  for (const wal::WalDamage& d : replay->damage) {
    ++(d.action == wal::DamageAction::truncated ? truncated : quarantined);
  }

  // Enough directories for `shards` writers: ours first, then new numbers. create_directory
  // claims a number atomically; a lock that fails right after means another process won it.
  std::set<std::uint32_t> taken(existing->begin(), existing->end());
  for (std::uint32_t n = 0; mine.size() < shards; ++n) {
    if (taken.count(n) != 0) continue;
    const fs::path p = dir / std::to_string(n);
    if (!fs::create_directory(p, ec)) {
      if (ec) return unexpected(log_error(p, ec));
      continue;
    }
    auto lock = wal::DirLock::try_lock(p);
    if (!lock) return unexpected(Error{"write-ahead log: " + lock.error().message});
    if (*lock) mine.emplace(n, std::move(**lock));
  }

  std::unique_ptr<DurableLog> out(new DurableLog());
  out->dir_ = dir;
  out->shards_ = std::max(1u, shards);
  out->truncated_.store(truncated, std::memory_order_relaxed);
  out->quarantined_.store(quarantined, std::memory_order_relaxed);
  for (auto& [n, lock] : mine) {
    wal::WalOptions o = base;
    o.dir = dir;
    o.shard = n;
    for (const auto& s : replay->shards) {
      if (s.shard == n) o.recovered = s.segments;
    }
    auto w = wal::WalWriter::open(std::move(o));
    if (!w) return unexpected(Error{"write-ahead log: " + w.error().message});
    if (out->by_dir_.size() <= n) out->by_dir_.resize(n + 1, nullptr);
    out->by_dir_[n] = w->get();
    out->owned_.push_back(Owned{n, std::move(lock), std::move(w).value()});
  }
  out->replayed_ = std::move(replay->alerts);
  for (const auto& [n, lock] : mine) read_notify_log(dir / std::to_string(n), out->notify_log_);
  log::info("write-ahead log open",
            {{"dir", dir.string()},
             {"writers", out->owned_.size()},
             {"held_by_other_process", static_cast<unsigned long long>(held_elsewhere)},
             {"segments_read", static_cast<unsigned long long>(replay->segments_read)},
             {"to_replay", static_cast<unsigned long long>(out->replayed_.size())},
             {"already_done", static_cast<unsigned long long>(replay->alerts_finished)},
             {"bad_payloads", static_cast<unsigned long long>(replay->bad_payloads)}});
  return out;
}

DurableLog::~DurableLog() { stop(); }

bool DurableLog::healthy() const {
  return std::all_of(owned_.begin(), owned_.end(),
                     [](const Owned& o) { return o.writer->healthy(); });
}

wal::WalStats DurableLog::stats() const {
  wal::WalStats sum;
  for (const Owned& o : owned_) {
    const wal::WalStats s = o.writer->stats();
    sum.appended += s.appended;
    sum.append_failures += s.append_failures;
    sum.commits += s.commits;
    sum.bytes_written += s.bytes_written;
    sum.segments_created += s.segments_created;
    sum.segments_deleted += s.segments_deleted;
    sum.io_errors += s.io_errors;
    sum.compactions += s.compactions;
    sum.records_moved += s.records_moved;
    sum.segments += s.segments;
  }
  return sum;
}

wal::WalWriter* DurableLog::writer_for(std::uint32_t dir) const {
  return dir < by_dir_.size() ? by_dir_[dir] : nullptr;
}

void DurableLog::relog(std::vector<wal::ReplayedAlert*>& alerts) {
  std::vector<std::future<wal::WalTicket>> logged;
  logged.reserve(alerts.size());
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    auto done = std::make_shared<std::promise<wal::WalTicket>>();
    logged.push_back(done->get_future());
    owned_[i % shards_].writer->append(alerts[i]->alert,
                                       [done](std::error_code ec, wal::WalTicket t) {
                                         done->set_value(ec ? wal::WalTicket{} : t);
                                       });
  }
  // Appends from one thread: group commit syncs them together.
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    Alert& a = alerts[i]->alert;
    a.wal_shard = owned_[i % shards_].dir;
    a.wal_segment = logged[i].get().segment;
  }
}

std::size_t DurableLog::submit(std::vector<wal::ReplayedAlert>& alerts,
                               const PolicySnapshot& snapshot, const ReplayTarget& target,
                               const char* what) {
  std::size_t resubmitted = 0, orphaned = 0, refused = 0;
  for (wal::ReplayedAlert& r : alerts) {
    Alert& a = r.alert;
    a.replayed = true;
    if (!r.final_destinations.empty()) {
      std::lock_guard lock(finals_mutex_);
      finals_[a.alert_id] = std::move(r.final_destinations);
      has_finals_.store(true, std::memory_order_release);
    }
    const auto tenant = snapshot.index_of(a.tenant_id);
    if (!tenant) {
      ++orphaned;
      release(a);
      continue;
    }
    if (!target(*tenant, a)) {
      ++refused;  // stays in the log: replayed by the next start
      continue;
    }
    ++resubmitted;
  }
  if (!alerts.empty()) {
    log::info(what, {{"resubmitted", static_cast<unsigned long long>(resubmitted)},
                     {"tenant_gone", static_cast<unsigned long long>(orphaned)},
                     {"refused", static_cast<unsigned long long>(refused)}});
  }
  return resubmitted;
}

std::size_t DurableLog::resubmit(const PolicySnapshot& snapshot, const ReplayTarget& target) {
  std::vector<wal::ReplayedAlert*> quarantined;
  for (wal::ReplayedAlert& r : replayed_) {
    if (r.ticket.valid()) {
      r.alert.wal_shard = r.shard;
      r.alert.wal_segment = r.ticket.segment;
    } else {
      quarantined.push_back(&r);  // from a quarantined segment: log it again first
    }
  }
  relog(quarantined);
  const std::size_t n = submit(replayed_, snapshot, target, "write-ahead log replayed");
  replayed_.clear();
  replayed_.shrink_to_fit();
  return n;
}

std::vector<wal::NotifyLogEntry> DurableLog::take_notify_log() { return std::move(notify_log_); }

void DurableLog::write_notify_log(const std::vector<wal::NotifyLogEntry>& entries) {
  if (owned_.empty()) return;
  const fs::path dir = dir_ / std::to_string(owned_.front().dir);
  const fs::path path = dir / kNotifyLogFile;
  const fs::path tmp = dir / (std::string(kNotifyLogFile) + ".tmp");
  std::string bytes;
  wal::encode_notify_log(entries, bytes);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 &&
            ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
            ::fdatasync(fd) == 0;
  if (fd >= 0) ::close(fd);
  std::error_code ec;
  if (ok) fs::rename(tmp, path, ec);
  if (!ok || ec) {
    fs::remove(tmp, ec);
    log::warn("notification log not written: the next process may notify groups again",
              {{"file", path.string()}});
    return;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  log::info("notification log written", {{"file", path.string()}, {"groups", entries.size()}});
}

std::size_t DurableLog::adopt_orphans(
    const PolicySnapshot& snapshot, const ReplayTarget& target,
    const std::function<void(std::vector<wal::NotifyLogEntry>)>& seed) {
  auto dirs = shard_dirs(dir_);
  if (!dirs) return 0;
  std::size_t adopted = 0;
  for (const std::uint32_t n : *dirs) {
    if (writer_for(n) != nullptr) continue;
    const fs::path path = dir_ / std::to_string(n);
    auto lock = wal::DirLock::try_lock(path);
    if (!lock || !*lock) continue;  // still owned by a running process
    auto replay = wal::replay_wal(dir_, [n](std::uint32_t s) { return s == n; });
    if (!replay) {
      log::error("write-ahead log: cannot adopt",
                 {{"dir", path.string()}, {"error", replay.error().message}});
      continue;
    }
    report_damage(*replay);
    for (const wal::WalDamage& d : replay->damage) {
      (d.action == wal::DamageAction::truncated ? truncated_ : quarantined_)
          .fetch_add(1, std::memory_order_relaxed);
    }
    std::vector<wal::ReplayedAlert*> all;
    for (wal::ReplayedAlert& r : replay->alerts) all.push_back(&r);
    relog(all);
    if (std::any_of(all.begin(), all.end(), [](auto* r) { return r->alert.wal_segment == 0; })) {
      // Not durable here yet: leave the directory for the next attempt (repeats are fine).
      log::error("write-ahead log: cannot adopt, logging failed", {{"dir", path.string()}});
      continue;
    }
    std::vector<wal::NotifyLogEntry> notified;
    read_notify_log(path, notified);
    if (!notified.empty() && seed) seed(std::move(notified));
    std::error_code ec;
    if (fs::exists(path / "quarantine", ec)) {
      const auto kept =
          dir_ / fmt::format("quarantine-{}-{}", n,
                             std::chrono::system_clock::now().time_since_epoch().count());
      fs::rename(path / "quarantine", kept, ec);
    }
    fs::remove_all(path, ec);
    if (ec) log::warn("write-ahead log: adopted directory not removed", {{"dir", path.string()}});
    log::info("write-ahead log adopted from an exited process",
              {{"dir", path.string()}, {"alerts", static_cast<unsigned long long>(all.size())}});
    adopted += submit(replay->alerts, snapshot, target, "write-ahead log adopted alerts routed");
  }
  return adopted;
}

void DurableLog::release(const Alert& alert) {
  if (closing_.load(std::memory_order_acquire)) return;
  wal::WalWriter* w = alert.wal_segment == 0 ? nullptr : writer_for(alert.wal_shard);
  if (w == nullptr) return;
  w->complete(wal::WalTicket{alert.wal_segment}, alert.alert_id);
  if (has_finals_.load(std::memory_order_acquire)) {
    std::lock_guard lock(finals_mutex_);
    finals_.erase(alert.alert_id);
    if (finals_.empty()) has_finals_.store(false, std::memory_order_release);
  }
}

void DurableLog::delivery_final(const Alert& alert, std::uint64_t destination, bool delivered) {
  if (closing_.load(std::memory_order_acquire)) return;
  wal::WalWriter* w = alert.wal_segment == 0 ? nullptr : writer_for(alert.wal_shard);
  if (w == nullptr) return;
  w->record_outcome({alert.alert_id, destination,
                     delivered ? wal::Outcome::delivered : wal::Outcome::dead_lettered});
}

bool DurableLog::already_final(const Alert& alert, std::uint64_t destination) const {
  if (!has_finals_.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(finals_mutex_);
  const auto it = finals_.find(alert.alert_id);
  return it != finals_.end() &&
         std::find(it->second.begin(), it->second.end(), destination) != it->second.end();
}

void DurableLog::stop() {
  for (auto& o : owned_) o.writer->stop();
}

}  // namespace alertgate
