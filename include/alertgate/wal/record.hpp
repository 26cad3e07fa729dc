// WAL records: framing and the payloads of the three record types.
//
// A record on disk is
//   u32 length   payload bytes (little endian), at most kMaxRecordPayload
//   u32 crc      CRC32C over the type byte followed by the payload
//   u8  type     RecordType
//   payload      `length` bytes
// All integers are little endian. Pure functions; any thread. Decoders take untrusted bytes
// (a damaged disk): they are bounds-checked, never read past the input and return an error
// instead of crashing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "alertgate/alert.hpp"
#include "alertgate/result.hpp"

namespace alertgate::wal {

inline constexpr std::size_t kRecordHeaderBytes = 9;  // length + crc + type
// A sanity bound: a length above it is corruption, not a record that has not been written
// completely. Encoders refuse payloads above it.
inline constexpr std::uint32_t kMaxRecordPayload = 16u << 20;

enum class RecordType : std::uint8_t {
  alert = 1,    // payload: encode_alert()
  outcome = 2,  // payload: encode_outcome(); one destination of an alert is final
  done = 3,     // payload: encode_done(); every destination of an alert is final
};

// The final outcomes of one delivery (alert x destination). Only final outcomes are logged.
enum class Outcome : std::uint8_t { delivered = 1, dead_lettered = 2, dropped = 3 };
std::string_view to_string(Outcome o);

struct OutcomeRecord {
  std::string alert_id;
  std::uint64_t destination = 0;  // the caller's stable hash of the destination
  Outcome outcome = Outcome::delivered;
  friend bool operator==(const OutcomeRecord&, const OutcomeRecord&) = default;
};

// --- payload codecs ---

// Appends the binary form of every field of `alert` to `out`.
void encode_alert(const Alert& alert, std::string& out);
// Decodes exactly `payload` (trailing bytes are an error). Errors name the field and offset.
Result<Alert> decode_alert(std::span<const std::byte> payload);

void encode_outcome(const OutcomeRecord& r, std::string& out);
Result<OutcomeRecord> decode_outcome(std::span<const std::byte> payload);

void encode_done(std::string_view alert_id, std::string& out);
Result<std::string> decode_done(std::span<const std::byte> payload);

// --- framing ---

// Appends a whole framed record (header + payload). Returns false, appending nothing, when
// the payload is larger than kMaxRecordPayload.
bool append_record(RecordType type, std::string_view payload, std::string& out);
// Convenience: frames an encoded alert / outcome / done record.
bool append_alert_record(const Alert& alert, std::string& out);
bool append_outcome_record(const OutcomeRecord& r, std::string& out);
bool append_done_record(std::string_view alert_id, std::string& out);

// Why parse_record() stopped.
enum class RecordStatus {
  ok,
  end,         // no bytes left: a clean end
  partial,     // fewer bytes than the header or the declared length: a torn tail
  bad_length,  // length above kMaxRecordPayload
  bad_crc,     // checksum mismatch
  bad_type,    // checksum fine but unknown type (a newer format?)
};
std::string_view to_string(RecordStatus s);

struct RecordView {
  RecordType type = RecordType::alert;
  std::span<const std::byte> payload;  // points into the parsed buffer
  std::size_t size = 0;                // whole frame: header + payload
};

// Parses the record at the start of `bytes`. On ok, `out` describes it.
RecordStatus parse_record(std::span<const std::byte> bytes, RecordView& out);

}  // namespace alertgate::wal
