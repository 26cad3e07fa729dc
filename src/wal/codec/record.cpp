#include "alertgate/wal/record.hpp"

#include <string>

#include "alertgate/wal/crc32c.hpp"
#include "wal/codec/byte_io.hpp"

namespace alertgate::wal {

using detail::load_le;
using detail::put_le;
using detail::put_str;
using detail::put_u8;
using detail::Reader;

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::delivered: return "delivered";
    case Outcome::dead_lettered: return "dead_lettered";
    case Outcome::dropped: return "dropped";
  }
  return "unknown";
}

std::string_view to_string(RecordStatus s) {
  switch (s) {
    case RecordStatus::ok: return "ok";
    case RecordStatus::end: return "end";
    case RecordStatus::partial: return "partial";
    case RecordStatus::bad_length: return "bad_length";
    case RecordStatus::bad_crc: return "bad_crc";
    case RecordStatus::bad_type: return "bad_type";
  }
  return "unknown";
}

void encode_outcome(const OutcomeRecord& r, std::string& out) {
  put_str(out, r.alert_id);
  put_le<std::uint64_t>(out, r.destination);
  put_u8(out, static_cast<std::uint8_t>(r.outcome));
}

Result<OutcomeRecord> decode_outcome(std::span<const std::byte> payload) {
  Reader r(payload);
  OutcomeRecord o;
  std::uint8_t outcome = 0;
  if (!r.get_str(o.alert_id) || !r.get(o.destination) || !r.get(outcome) || r.remaining() != 0) {
    return unexpected(Error{"outcome record: truncated or trailing bytes at offset " +
                            std::to_string(r.offset())});
  }
  if (outcome < 1 || outcome > 3) {
    return unexpected(Error{"outcome record: unknown outcome " + std::to_string(outcome)});
  }
  o.outcome = static_cast<Outcome>(outcome);
  return o;
}

void encode_done(std::string_view alert_id, std::string& out) { put_str(out, alert_id); }

Result<std::string> decode_done(std::span<const std::byte> payload) {
  Reader r(payload);
  std::string id;
  if (!r.get_str(id) || r.remaining() != 0) {
    return unexpected(Error{"done record: truncated or trailing bytes"});
  }
  return id;
}

bool append_record(RecordType type, std::string_view payload, std::string& out) {
  if (payload.size() > kMaxRecordPayload) return false;
  const auto t = static_cast<std::uint8_t>(type);
  std::uint32_t crc = crc32c(&t, 1);
  crc = crc32c(payload.data(), payload.size(), crc);
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(payload.size()));
  put_le<std::uint32_t>(out, crc);
  put_u8(out, t);
  out.append(payload);
  return true;
}

namespace {

// Encodes the payload in place after a reserved header, so framing costs no second copy.
template <class Encode>
bool append_framed(RecordType type, std::string& out, Encode&& encode) {
  const std::size_t start = out.size();
  out.append(kRecordHeaderBytes, '\0');
  encode(out);
  const std::size_t n = out.size() - start - kRecordHeaderBytes;
  if (n > kMaxRecordPayload) {
    out.resize(start);
    return false;
  }
  auto* p = reinterpret_cast<unsigned char*>(out.data() + start);
  p[8] = static_cast<std::uint8_t>(type);
  const std::uint32_t crc = crc32c(p + 8, 1 + n);
  for (int i = 0; i < 4; ++i) {
    p[i] = static_cast<unsigned char>(static_cast<std::uint32_t>(n) >> (8 * i));
    p[4 + i] = static_cast<unsigned char>(crc >> (8 * i));
  }
  return true;
}

}  // namespace

bool append_alert_record(const Alert& alert, std::string& out) {
  return append_framed(RecordType::alert, out, [&](std::string& o) { encode_alert(alert, o); });
}

bool append_outcome_record(const OutcomeRecord& r, std::string& out) {
  return append_framed(RecordType::outcome, out, [&](std::string& o) { encode_outcome(r, o); });
}

bool append_done_record(std::string_view alert_id, std::string& out) {
  return append_framed(RecordType::done, out, [&](std::string& o) { encode_done(alert_id, o); });
}

RecordStatus parse_record(std::span<const std::byte> bytes, RecordView& out) {
  if (bytes.empty()) return RecordStatus::end;
  if (bytes.size() < kRecordHeaderBytes) return RecordStatus::partial;
  const auto length = load_le<std::uint32_t>(bytes.data());
  const auto crc = load_le<std::uint32_t>(bytes.data() + 4);
  if (length > kMaxRecordPayload) return RecordStatus::bad_length;
  if (bytes.size() - kRecordHeaderBytes < length) return RecordStatus::partial;
  if (crc32c(bytes.data() + 8, 1 + std::size_t{length}) != crc) return RecordStatus::bad_crc;
  const auto type = std::to_integer<std::uint8_t>(bytes[8]);
  if (type < 1 || type > 3) return RecordStatus::bad_type;
  out.type = static_cast<RecordType>(type);
  out.payload = bytes.subspan(kRecordHeaderBytes, length);
  out.size = kRecordHeaderBytes + length;
  return RecordStatus::ok;
}

}  // namespace alertgate::wal
