// replay_wal(): reads every shard's segments oldest first and folds alert, outcome and done
// records into the set of alerts still to deliver. Repairs (truncation, quarantine) happen
// here, before a writer opens the directory, so the writer only ever appends to good files.
#include "alertgate/wal/replay.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <unordered_map>

#include "alertgate/wal/segment_format.hpp"
#include "wal/segment_file.hpp"

namespace alertgate::wal {

namespace {

namespace fs = std::filesystem;

std::optional<std::uint32_t> parse_shard(const std::string& name) {
  std::uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
  if (ec != std::errc{} || ptr != name.data() + name.size() || name.empty()) return std::nullopt;
  return v;
}

Unexpected<Error> io_error(const fs::path& path, std::error_code ec) {
  return unexpected(Error{path.string() + ": " + ec.message()});
}

struct Pending {
  ReplayedAlert replayed;
  bool done = false;
};

// One shard's fold of its records.
class ShardFold {
 public:
  ShardFold(std::uint32_t shard, ReplayResult& result) : shard_(shard), result_(result) {}

  void apply(const RecordView& rec, std::uint64_t seq) {
    ++result_.records_read;
    switch (rec.type) {
      case RecordType::alert: {
        auto alert = decode_alert(rec.payload);
        if (!alert.ok()) {
          ++result_.bad_payloads;
          return;
        }
        ++records_in_[seq];
        auto [it, inserted] = index_.try_emplace(alert->alert_id, pending_.size());
        if (inserted) {
          pending_.push_back(Pending{ReplayedAlert{shard_, WalTicket{seq}, std::move(*alert), {}}});
        } else if (!pending_[it->second].replayed.ticket.valid()) {
          pending_[it->second].replayed.ticket = WalTicket{seq};  // appended again: durable
        }
        return;
      }
      case RecordType::outcome: {
        auto outcome = decode_outcome(rec.payload);
        if (!outcome.ok()) {
          ++result_.bad_payloads;
          return;
        }
        // No alert: its segment was deleted, it is finished.
        if (auto it = index_.find(outcome->alert_id); it != index_.end()) {
          auto& keys = pending_[it->second].replayed.final_destinations;
          if (std::find(keys.begin(), keys.end(), outcome->destination) == keys.end()) {
            keys.push_back(outcome->destination);
          }
        }
        return;
      }
      case RecordType::done: {
        auto id = decode_done(rec.payload);
        if (!id.ok()) {
          ++result_.bad_payloads;
          return;
        }
        if (auto it = index_.find(*id); it != index_.end()) pending_[it->second].done = true;
        return;
      }
    }
  }

  // The segment's alerts are no longer backed by a file in the log.
  void orphan(std::uint64_t seq) {
    for (Pending& p : pending_) {
      if (p.replayed.ticket.segment == seq) p.replayed.ticket = WalTicket{};
    }
  }

  void finish(const std::vector<std::uint64_t>& kept) {
    std::map<std::uint64_t, std::vector<std::uint64_t>> live;
    for (Pending& p : pending_) {
      if (p.done) {
        ++result_.alerts_finished;
        continue;
      }
      if (p.replayed.ticket.valid()) {
        live[p.replayed.ticket.segment].push_back(alert_id_hash(p.replayed.alert.alert_id));
      }
      result_.alerts.push_back(std::move(p.replayed));
    }
    ShardReplay sr;
    sr.shard = shard_;
    for (std::uint64_t seq : kept) {
      RecoveredSegment r;
      r.seq = seq;
      r.live_ids = std::move(live[seq]);
      r.live_alerts = r.live_ids.size();
      r.alert_records = records_in_[seq];
      sr.segments.push_back(std::move(r));
    }
    result_.shards.push_back(std::move(sr));
  }

 private:
  std::uint32_t shard_;
  ReplayResult& result_;
  std::vector<Pending> pending_;
  std::unordered_map<std::string, std::size_t> index_;
  std::map<std::uint64_t, std::size_t> records_in_;  // alert records per segment
};

std::error_code truncate_file(const fs::path& path, std::size_t size) {
  detail::Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return detail::last_errno();
  if (auto ec = detail::truncate_to(fd.get(), size)) return ec;
  return detail::sync_data(fd.get());
}

std::error_code quarantine(const fs::path& shard_dir, const fs::path& file, fs::path& moved_to) {
  std::error_code ec;
  const fs::path qdir = shard_dir / "quarantine";
  fs::create_directories(qdir, ec);
  if (ec) return ec;
  moved_to = qdir / (file.filename().string() + ".corrupt");
  for (int i = 1; fs::exists(moved_to, ec); ++i) {
    moved_to = qdir / (file.filename().string() + "." + std::to_string(i) + ".corrupt");
  }
  fs::rename(file, moved_to, ec);
  if (ec) return ec;
  if (auto e = detail::sync_dir(qdir)) return e;
  return detail::sync_dir(shard_dir);
}

// Replays one shard directory into `result`.
std::error_code replay_shard(const fs::path& dir, std::uint32_t shard, ReplayResult& result) {
  std::error_code ec;
  std::vector<std::pair<std::uint64_t, fs::path>> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    if (auto seq = parse_segment_name(entry.path().filename().string())) {
      files.emplace_back(*seq, entry.path());
    }
  }
  if (ec) return ec;
  std::sort(files.begin(), files.end());

  ShardFold fold(shard, result);
  std::vector<std::uint64_t> kept;
  std::string bytes;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& [seq, path] = files[i];
    const bool newest = i + 1 == files.size();
    if (auto e = detail::read_whole_file(path, bytes)) return e;
    ++result.segments_read;
    const std::span<const std::byte> data(reinterpret_cast<const std::byte*>(bytes.data()),
                                          bytes.size());
    WalDamage damage{shard, path, {}, DamageAction::quarantined, 0, bytes.size(), {}};
    SegmentHeader header;
    const HeaderStatus hs = parse_segment_header(data, header);
    if (hs == HeaderStatus::partial && newest) {
      // A crash while the newest segment was being created: nothing in it was acknowledged.
      damage.action = DamageAction::truncated;
      damage.reason = std::string(to_string(hs));
      if (!fs::remove(path, ec) && ec) return ec;
      result.damage.push_back(std::move(damage));
      continue;
    }
    if (hs != HeaderStatus::ok || header.seq != seq || header.shard != shard) {
      damage.reason = hs != HeaderStatus::ok ? std::string(to_string(hs)) : "header_mismatch";
      if (auto e = quarantine(dir, path, damage.moved_to)) return e;
      result.damage.push_back(std::move(damage));
      continue;
    }
    const std::uint64_t segment = seq;  // C++20 lambdas cannot capture structured bindings
    const ScanEnd end =
        scan_records(data, [&](const RecordView& rec, std::size_t) { fold.apply(rec, segment); });
    if (end.status == RecordStatus::end) {
      kept.push_back(seq);
      continue;
    }
    damage.offset = end.offset;
    damage.bytes_dropped = bytes.size() - end.offset;
    damage.reason = std::string(to_string(end.status));
    if (newest && end.torn_tail) {
      damage.action = DamageAction::truncated;
      if (auto e = truncate_file(path, end.offset)) return e;
      kept.push_back(seq);
    } else {
      fold.orphan(seq);
      if (auto e = quarantine(dir, path, damage.moved_to)) return e;
    }
    result.damage.push_back(std::move(damage));
  }
  fold.finish(kept);
  return {};
}

}  // namespace

Result<ReplayResult> replay_wal(const fs::path& wal_dir,
                                const std::function<bool(std::uint32_t)>& include) {
  ReplayResult result;
  std::error_code ec;
  if (!fs::exists(wal_dir, ec)) {
    if (ec) return io_error(wal_dir, ec);
    return result;
  }
  std::vector<std::pair<std::uint32_t, fs::path>> shards;
  for (const auto& entry : fs::directory_iterator(wal_dir, ec)) {
    if (!entry.is_directory()) continue;
    if (auto shard = parse_shard(entry.path().filename().string())) {
      if (include && !include(*shard)) continue;
      shards.emplace_back(*shard, entry.path());
    }
  }
  if (ec) return io_error(wal_dir, ec);
  std::sort(shards.begin(), shards.end());
  for (const auto& [shard, dir] : shards) {
    if (auto e = replay_shard(dir, shard, result)) return io_error(dir, e);
  }
  return result;
}

}  // namespace alertgate::wal
