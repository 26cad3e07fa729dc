// WAL segment files: name, header and a pure scan of a segment's bytes.
//
// A segment is data_dir/wal/<shard>/<seq, 16 decimal digits>.wal:
//   header (kSegmentHeaderBytes): magic "AGWALSEG", u32 format version, u32 shard,
//                                 u64 segment seq, u32 CRC32C of the preceding 24 bytes
//   records                       see record.hpp
// Pure functions; any thread; bytes are untrusted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "alertgate/wal/record.hpp"

namespace alertgate::wal {

inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::size_t kSegmentHeaderBytes = 28;

struct SegmentHeader {
  std::uint32_t version = kFormatVersion;
  std::uint32_t shard = 0;
  std::uint64_t seq = 0;
  friend bool operator==(const SegmentHeader&, const SegmentHeader&) = default;
};

void append_segment_header(const SegmentHeader& h, std::string& out);

enum class HeaderStatus { ok, partial, bad_magic, bad_crc, bad_version };
std::string_view to_string(HeaderStatus s);
HeaderStatus parse_segment_header(std::span<const std::byte> bytes, SegmentHeader& out);

// "0000000000000042.wal" for 42; parse_segment_name() is its inverse (nullopt for any
// other name).
std::string segment_file_name(std::uint64_t seq);
std::optional<std::uint64_t> parse_segment_name(std::string_view file_name);

// Where and why a scan of a segment's records stopped.
struct ScanEnd {
  RecordStatus status = RecordStatus::end;
  std::size_t offset = 0;  // byte offset in the segment of the first record not accepted
  // True when the damage can only be a write that never completed: a partial record, or a
  // bad checksum on a record followed by nothing or only zero bytes. Anything else (a bad
  // checksum followed by more data, an impossible length, an unknown type) is corruption
  // in the middle.
  bool torn_tail = false;
};

// Calls `on_record(const RecordView&, std::size_t offset)` for each good record after the
// header, in order, and returns where it stopped. `segment` is the whole file, header
// included; the caller checked the header.
template <class F>
ScanEnd scan_records(std::span<const std::byte> segment, F&& on_record);

// Non-template core of scan_records: the next record at `offset`.
ScanEnd next_record(std::span<const std::byte> segment, std::size_t offset, RecordView& out);

template <class F>
ScanEnd scan_records(std::span<const std::byte> segment, F&& on_record) {
  std::size_t offset = kSegmentHeaderBytes;
  for (;;) {
    RecordView rec;
    ScanEnd end = next_record(segment, offset, rec);
    if (end.status != RecordStatus::ok) return end;
    on_record(static_cast<const RecordView&>(rec), offset);
    offset += rec.size;
  }
}

}  // namespace alertgate::wal
