// libFuzzer target: the WAL record and segment decoders on arbitrary bytes. The first byte
// picks what the rest is: an alert payload, a whole segment file, or the records after a
// valid segment header (so the fuzzer need not forge a header checksum). Checks: no crash,
// scans stay inside the input, and every payload that decodes re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "alertgate/wal/record.hpp"
#include "alertgate/wal/segment_format.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace alertgate;
using namespace alertgate::wal;

void check_payload(RecordType type, std::span<const std::byte> payload) {
  const std::string original(reinterpret_cast<const char*>(payload.data()), payload.size());
  std::string again;
  switch (type) {
    case RecordType::alert:
      if (auto a = decode_alert(payload); a.ok()) encode_alert(*a, again);
      break;
    case RecordType::outcome:
      if (auto o = decode_outcome(payload); o.ok()) encode_outcome(*o, again);
      break;
    case RecordType::done:
      if (auto d = decode_done(payload); d.ok()) encode_done(*d, again);
      break;
  }
  AG_FUZZ_CHECK(again.empty() || again == original);
}

void scan(std::span<const std::byte> segment) {
  std::size_t records = 0;
  std::size_t next = kSegmentHeaderBytes;
  const ScanEnd end = scan_records(segment, [&](const RecordView& r, std::size_t offset) {
    AG_FUZZ_CHECK(offset == next);
    AG_FUZZ_CHECK(offset + r.size <= segment.size());
    next = offset + r.size;
    ++records;
    check_payload(r.type, r.payload);
  });
  AG_FUZZ_CHECK(end.offset == next);
  AG_FUZZ_CHECK(end.status != RecordStatus::ok);
  if (end.status == RecordStatus::end) AG_FUZZ_CHECK(end.offset == segment.size());
  (void)records;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto* bytes = reinterpret_cast<const std::byte*>(data + 1);
  const std::span<const std::byte> rest(bytes, size - 1);
  switch (data[0] % 3) {
    case 0: check_payload(RecordType::alert, rest); break;
    case 1: {
      SegmentHeader h;
      if (parse_segment_header(rest, h) == HeaderStatus::ok) scan(rest);
      break;
    }
    default: {
      std::string segment;
      append_segment_header(SegmentHeader{kFormatVersion, 0, 1}, segment);
      segment.append(reinterpret_cast<const char*>(rest.data()), rest.size());
      scan({reinterpret_cast<const std::byte*>(segment.data()), segment.size()});
      break;
    }
  }
  return 0;
}
