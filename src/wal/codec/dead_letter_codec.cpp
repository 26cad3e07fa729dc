// Binary form of a DeadLetter file (layout in dead_letter_codec.hpp). The alerts reuse the
// WAL's alert payload, so a field added to Alert is added in one place.
#include "alertgate/wal/dead_letter_codec.hpp"

#include <charconv>
#include <cstdio>
#include <string>

#include "alertgate/wal/crc32c.hpp"
#include "alertgate/wal/record.hpp"
#include "wal/codec/byte_io.hpp"

namespace alertgate::wal {

using detail::load_le;
using detail::put_le;
using detail::put_str;
using detail::Reader;

namespace {

constexpr std::string_view kMagic = "AGDL";
constexpr std::size_t kVersionOffset = 4;
constexpr std::size_t kCrcOffset = 6;
constexpr std::size_t kIdDigits = 20;
constexpr std::string_view kSuffix = ".dl";

void put_time(std::string& out, TimePoint t) {
  put_le<std::uint64_t>(out, static_cast<std::uint64_t>(t.time_since_epoch().count()));
}

bool get_time(Reader& r, TimePoint& t) {
  std::uint64_t v = 0;
  if (!r.get(v)) return false;
  t = TimePoint(std::chrono::nanoseconds(static_cast<std::int64_t>(v)));
  return true;
}

Unexpected<Error> fail(std::size_t offset, std::string_view field, std::string_view detail = {}) {
  std::string msg = "dead letter: bad ";
  msg.append(field);
  msg.append(" at offset ");
  msg.append(std::to_string(offset));
  if (!detail.empty()) {
    msg.append(": ");
    msg.append(detail);
  }
  return unexpected(Error{std::move(msg)});
}

}  // namespace

void encode_dead_letter(const DeadLetter& d, std::string& out) {
  const std::size_t start = out.size();
  out.append(kMagic);
  put_le<std::uint16_t>(out, kDeadLetterVersion);
  put_le<std::uint32_t>(out, 0);  // the CRC, filled in below
  const std::size_t body = out.size();
  put_le<std::uint64_t>(out, d.id);
  put_str(out, d.tenant_id);
  put_str(out, d.destination);
  put_str(out, d.destination_name);
  put_str(out, d.destination_type);
  put_le<std::uint64_t>(out, d.destination_key);
  put_le<std::uint64_t>(out, d.rule_key);
  put_le<std::uint64_t>(out, d.group_key);
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(d.group_labels.size()));
  for (const Label& l : d.group_labels) {
    put_str(out, l.name);
    put_str(out, l.value);
  }
  put_str(out, d.reason);
  put_le<std::uint32_t>(out, d.attempts);
  put_time(out, d.first_attempt);
  put_time(out, d.failed_at);
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(d.alerts.size()));
  std::string payload;
  for (const Alert& a : d.alerts) {
    payload.clear();
    encode_alert(a, payload);
    put_str(out, payload);
  }
  const std::uint32_t crc = crc32c(out.data() + body, out.size() - body);
  for (std::size_t i = 0; i < 4; ++i) {
    out[start + kCrcOffset + i] = static_cast<char>(static_cast<std::uint8_t>(crc >> (8 * i)));
  }
}

Result<DeadLetter> decode_dead_letter(std::span<const std::byte> file) {
  if (file.size() < kDeadLetterHeaderBytes) {
    return fail(0, "header",
                "file has " + std::to_string(file.size()) + " bytes, need " +
                    std::to_string(kDeadLetterHeaderBytes));
  }
  if (std::string_view(reinterpret_cast<const char*>(file.data()), kMagic.size()) != kMagic) {
    return fail(0, "magic");
  }
  const auto version = load_le<std::uint16_t>(file.data() + kVersionOffset);
  if (version != kDeadLetterVersion) {
    return fail(kVersionOffset, "version", "unknown version " + std::to_string(version));
  }
  const auto body = file.subspan(kDeadLetterHeaderBytes);
  if (crc32c(body.data(), body.size()) != load_le<std::uint32_t>(file.data() + kCrcOffset)) {
    return fail(kCrcOffset, "crc", "checksum mismatch");
  }

  // Offsets in errors are file offsets: the reader's plus the header.
  Reader r(body);
  const auto at = [&r] { return kDeadLetterHeaderBytes + r.offset(); };
  DeadLetter d;
  if (!r.get(d.id)) return fail(at(), "id");
  if (!r.get_str(d.tenant_id)) return fail(at(), "tenant_id");
  if (!r.get_str(d.destination)) return fail(at(), "destination");
  if (!r.get_str(d.destination_name)) return fail(at(), "destination_name");
  if (!r.get_str(d.destination_type)) return fail(at(), "destination_type");
  if (!r.get(d.destination_key)) return fail(at(), "destination_key");
  if (!r.get(d.rule_key)) return fail(at(), "rule_key");
  if (!r.get(d.group_key)) return fail(at(), "group_key");
  std::uint32_t labels = 0;
  const std::size_t labels_at = at();
  // Each label takes at least its two 4-byte lengths.
  if (!r.get(labels) || labels > r.remaining() / 8) return fail(labels_at, "group_labels count");
  d.group_labels.resize(labels);
  for (Label& l : d.group_labels) {
    if (!r.get_str(l.name) || !r.get_str(l.value)) return fail(at(), "group_labels");
  }
  if (!r.get_str(d.reason)) return fail(at(), "reason");
  if (!r.get(d.attempts)) return fail(at(), "attempts");
  if (!get_time(r, d.first_attempt)) return fail(at(), "first_attempt");
  if (!get_time(r, d.failed_at)) return fail(at(), "failed_at");
  std::uint32_t count = 0;
  const std::size_t count_at = at();
  // Each alert takes at least its 4-byte length: a count the rest cannot hold is garbage,
  // refused before reserving memory for it.
  if (!r.get(count) || count > r.remaining() / 4) return fail(count_at, "alert count");
  d.alerts.reserve(count);
  std::string payload;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t alert_at = at();
    const std::string field = "alerts[" + std::to_string(i) + "]";
    if (!r.get_str(payload)) return fail(alert_at, field, "truncated");
    auto alert = decode_alert({reinterpret_cast<const std::byte*>(payload.data()), payload.size()});
    // The alert codec's offset is relative to the payload, which starts 4 bytes after
    // alert_at (its length prefix).
    if (!alert.ok()) return fail(alert_at, field, alert.error().message);
    d.alerts.push_back(std::move(*alert));
  }
  if (r.remaining() != 0) return fail(at(), "length", "trailing bytes");
  return d;
}

std::string dead_letter_file_name(std::uint64_t id) {
  char buf[kIdDigits + 8];
  std::snprintf(buf, sizeof buf, "%020llu.dl", static_cast<unsigned long long>(id));
  return buf;
}

std::optional<std::uint64_t> parse_dead_letter_name(std::string_view name) {
  if (name.size() != kIdDigits + kSuffix.size() || !name.ends_with(kSuffix)) return std::nullopt;
  std::uint64_t id = 0;
  const char* end = name.data() + kIdDigits;
  auto [ptr, ec] = std::from_chars(name.data(), end, id);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return id;
}

}  // namespace alertgate::wal
