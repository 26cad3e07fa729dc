#include "alertgate/wal/segment_format.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "alertgate/wal/crc32c.hpp"
#include "wal/codec/byte_io.hpp"

namespace alertgate::wal {

using detail::load_le;
using detail::put_le;

namespace {

constexpr std::string_view kMagic = "AGWALSEG";
constexpr std::size_t kSeqDigits = 16;
constexpr std::string_view kSuffix = ".wal";

}  // namespace

void append_segment_header(const SegmentHeader& h, std::string& out) {
  const std::size_t start = out.size();
  out.append(kMagic);
  put_le<std::uint32_t>(out, h.version);
  put_le<std::uint32_t>(out, h.shard);
  put_le<std::uint64_t>(out, h.seq);
  put_le<std::uint32_t>(out, crc32c(out.data() + start, out.size() - start));
}

std::string_view to_string(HeaderStatus s) {
  switch (s) {
    case HeaderStatus::ok: return "ok";
    case HeaderStatus::partial: return "partial_header";
    case HeaderStatus::bad_magic: return "bad_magic";
    case HeaderStatus::bad_crc: return "bad_header_crc";
    case HeaderStatus::bad_version: return "bad_version";
  }
  return "unknown";
}

HeaderStatus parse_segment_header(std::span<const std::byte> bytes, SegmentHeader& out) {
  if (bytes.size() < kSegmentHeaderBytes) return HeaderStatus::partial;
  if (std::string_view(reinterpret_cast<const char*>(bytes.data()), kMagic.size()) != kMagic) {
    return HeaderStatus::bad_magic;
  }
  if (crc32c(bytes.data(), 24) != load_le<std::uint32_t>(bytes.data() + 24)) {
    return HeaderStatus::bad_crc;
  }
  out.version = load_le<std::uint32_t>(bytes.data() + 8);
  out.shard = load_le<std::uint32_t>(bytes.data() + 12);
  out.seq = load_le<std::uint64_t>(bytes.data() + 16);
  if (out.version != kFormatVersion) return HeaderStatus::bad_version;
  return HeaderStatus::ok;
}

std::string segment_file_name(std::uint64_t seq) {
  char buf[kSeqDigits + 8];
  std::snprintf(buf, sizeof buf, "%016llu.wal", static_cast<unsigned long long>(seq));
  return buf;
}

std::optional<std::uint64_t> parse_segment_name(std::string_view name) {
  if (name.size() != kSeqDigits + kSuffix.size() || !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  std::uint64_t seq = 0;
  const char* end = name.data() + kSeqDigits;
  auto [ptr, ec] = std::from_chars(name.data(), end, seq);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return seq;
}

ScanEnd next_record(std::span<const std::byte> segment, std::size_t offset, RecordView& out) {
  ScanEnd end;
  end.offset = offset;
  if (offset > segment.size()) {
    end.status = RecordStatus::partial;
    end.torn_tail = true;
    return end;
  }
  const auto rest = segment.subspan(offset);
  end.status = parse_record(rest, out);
  switch (end.status) {
    case RecordStatus::partial: end.torn_tail = true; break;
    case RecordStatus::bad_crc: {
      // A torn write of the last record leaves its length intact but some of its bytes
      // unwritten; a bad record with good data after it was damaged after the fact.
      // Some file systems show a crashed append as zero bytes, so zeros after the bad
      // record still count as the end.
      const auto length = load_le<std::uint32_t>(rest.data());
      const auto after = rest.subspan(kRecordHeaderBytes + std::size_t{length});
      end.torn_tail =
          std::all_of(after.begin(), after.end(), [](std::byte b) { return b == std::byte{0}; });
      break;
    }
    default: break;
  }
  return end;
}

}  // namespace alertgate::wal
