// Compaction (WAL thread): an alert that stays undelivered for long -- inhibited, muted,
// retrying against a dead receiver -- must not keep every later segment on disk. When too
// many closed segments remain and the oldest is mostly finished, its live records move to
// the open segment and it is deleted. Oldest first only, so the rule of
// delete_finished_segments() holds: no segment goes before an older one that may refer to it.
#include <unistd.h>

#include <cerrno>
#include <unordered_set>

#include "alertgate/wal/segment_format.hpp"
#include "wal/wal_thread.hpp"

namespace alertgate::wal {

namespace {

std::string_view as_chars(std::span<const std::byte> s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

}  // namespace

void WalWriter::Impl::maybe_compact() {
  if (segments_.size() <= options_.compact_after_segments + 1) return;  // +1: the open one
  auto oldest = segments_.begin();
  Segment& seg = oldest->second;
  if (!seg.closed || oldest->first == open_seq_ || seg.live == 0) return;
  if (static_cast<double>(seg.live) >
      options_.compact_live_ratio * static_cast<double>(seg.alert_records)) {
    return;  // mostly live: copying it would free little
  }
  const std::uint64_t old_seq = oldest->first;
  const auto path = shard_dir_ / segment_file_name(old_seq);
  std::string bytes;
  if (detail::read_whole_file(path, bytes)) return;  // retried after the next batch
  const std::span<const std::byte> data(reinterpret_cast<const std::byte*>(bytes.data()),
                                        bytes.size());

  // Live alert records, and the outcome records of live alerts (so a replay still skips
  // the destinations they finished). Liveness is by id hash with counts: a shared hash
  // keeps both records, never drops one.
  std::unordered_set<std::string> live_ids;
  std::unordered_map<std::uint64_t, std::uint32_t> moved_ids;
  buffer_.clear();
  std::size_t moved = 0;
  scan_records(data, [&](const RecordView& rec, std::size_t offset) {
    const std::string_view frame = as_chars(data.subspan(offset, rec.size));
    if (rec.type == RecordType::alert) {
      auto alert = decode_alert(rec.payload);
      if (!alert.ok()) return;
      const std::uint64_t h = alert_id_hash(alert->alert_id);
      if (seg.live_ids.count(h) == 0) return;
      buffer_.append(frame);
      live_ids.insert(alert->alert_id);
      ++moved_ids[h];
      ++moved;
    } else if (rec.type == RecordType::outcome) {
      auto outcome = decode_outcome(rec.payload);
      if (outcome.ok() && live_ids.count(outcome->alert_id) != 0) buffer_.append(frame);
    }
  });
  if (moved == 0) {
    buffer_.clear();
    return;
  }
  if (auto ec = flush()) {
    fail(ec);  // the open segment is cut back to its last good record; nothing moved
    return;
  }
  Segment& open = segments_[open_seq_];
  open.live += seg.live;
  open.alert_records += moved;
  for (const auto& [h, n] : moved_ids) open.live_ids[h] += n;
  moved_to_[old_seq] = open_seq_;
  segments_.erase(oldest);
  if (::unlink(path.c_str()) == 0) (void)detail::sync_dir(shard_dir_);
  // If the unlink failed, a replay finds the alerts twice and keeps the first of each:
  // at-least-once still holds.
  stats_.compactions.fetch_add(1, std::memory_order_relaxed);
  stats_.records_moved.fetch_add(moved, std::memory_order_relaxed);
  stats_.segments_deleted.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace alertgate::wal
