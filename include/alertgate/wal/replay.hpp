// Replay: what a restarted alertgate must deliver again, read from data_dir/wal.
//
// replay_wal() reads every shard directory (data_dir/wal/<decimal shard>/) and its segments
// in sequence order. It repairs as it goes, and reports every repair:
// - a torn tail (partial record, or a bad checksum on the very last record of the newest
//   segment) is truncated away (the file is cut at the last good record);
// - any other damage (a bad checksum followed by more data, a bad header, damage in a
//   segment that is not the newest) quarantines the segment: it is moved to
//   data_dir/wal/<shard>/quarantine/. Its good records before the damage still replay, but
//   with an invalid ticket: the caller appends those alerts again to keep them durable.
// Call it before the shard's WalWriter is opened; single thread; blocking file I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/result.hpp"
#include "alertgate/wal/wal_writer.hpp"

namespace alertgate::wal {

struct ReplayedAlert {
  std::uint32_t shard = 0;
  WalTicket ticket;  // the segment holding it; complete() it on the shard's writer
  Alert alert;
  // Destinations (the caller's keys) whose delivery is already final: do not redo them.
  std::vector<std::uint64_t> final_destinations;
};

enum class DamageAction { truncated, quarantined };

struct WalDamage {
  std::uint32_t shard = 0;
  std::filesystem::path file;      // the segment as found
  std::filesystem::path moved_to;  // quarantined: where it is now
  DamageAction action = DamageAction::truncated;
  std::size_t offset = 0;         // where the damage starts
  std::size_t bytes_dropped = 0;  // bytes from `offset` to the end of the file
  std::string reason;             // "bad_crc", "partial", "bad_magic", ...
};

struct ShardReplay {
  std::uint32_t shard = 0;
  std::vector<RecoveredSegment> segments;  // every segment left in place, oldest first
};

struct ReplayResult {
  std::vector<ReplayedAlert> alerts;  // per shard in log order, shards ascending
  std::vector<ShardReplay> shards;    // pass shards[i].segments to WalOptions::recovered
  std::vector<WalDamage> damage;
  std::size_t segments_read = 0;
  std::size_t records_read = 0;
  std::size_t alerts_finished = 0;  // logged alerts skipped because they were done
  std::size_t bad_payloads = 0;     // good checksum but undecodable payload (counted, skipped)
};

// Errors: the directory cannot be listed, or a file cannot be read, truncated or moved.
// A missing `wal_dir` is an empty result. `include` (when set) picks the shard directories
// to read, by number: those of processes still running are left alone.
Result<ReplayResult> replay_wal(const std::filesystem::path& wal_dir,
                                const std::function<bool(std::uint32_t)>& include = {});

}  // namespace alertgate::wal
