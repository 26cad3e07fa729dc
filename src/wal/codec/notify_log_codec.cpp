#include "alertgate/wal/notify_log_codec.hpp"

#include <string_view>

#include "alertgate/wal/crc32c.hpp"
#include "byte_io.hpp"

namespace alertgate::wal {

namespace {

using detail::load_le;
using detail::put_le;
using detail::put_str;
using detail::Reader;

constexpr std::string_view kMagic = "AGNL";
constexpr std::size_t kVersionOffset = 4;
constexpr std::size_t kCrcOffset = 6;

Result<std::vector<NotifyLogEntry>> fail(std::size_t offset, std::string_view field,
                                         std::string_view detail = {}) {
  std::string msg =
      "notify log: bad " + std::string(field) + " at offset " + std::to_string(offset);
  if (!detail.empty()) msg += ": " + std::string(detail);
  return unexpected(Error{std::move(msg)});
}

}  // namespace

void encode_notify_log(const std::vector<NotifyLogEntry>& entries, std::string& out) {
  const std::size_t start = out.size();
  out.append(kMagic);
  put_le<std::uint16_t>(out, kNotifyLogVersion);
  put_le<std::uint32_t>(out, 0);  // the CRC, filled in below
  const std::size_t body = out.size();
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(entries.size()));
  for (const NotifyLogEntry& e : entries) {
    put_str(out, e.tenant_id);
    put_le<std::uint64_t>(out, e.group_key);
    put_le<std::uint64_t>(out,
                          static_cast<std::uint64_t>(e.last_notify.time_since_epoch().count()));
    put_le<std::uint32_t>(out, static_cast<std::uint32_t>(e.firing.size()));
    for (const std::uint64_t fp : e.firing) put_le<std::uint64_t>(out, fp);
  }
  const std::uint32_t crc = crc32c(out.data() + body, out.size() - body);
  for (std::size_t i = 0; i < 4; ++i) {
    out[start + kCrcOffset + i] = static_cast<char>(static_cast<std::uint8_t>(crc >> (8 * i)));
  }
}

Result<std::vector<NotifyLogEntry>> decode_notify_log(std::span<const std::byte> file) {
  if (file.size() < kNotifyLogHeaderBytes) return fail(0, "header", "file too short");
  if (std::string_view(reinterpret_cast<const char*>(file.data()), kMagic.size()) != kMagic) {
    return fail(0, "magic");
  }
  const auto version = load_le<std::uint16_t>(file.data() + kVersionOffset);
  if (version != kNotifyLogVersion) {
    return fail(kVersionOffset, "version", "unknown version " + std::to_string(version));
  }
  const auto body = file.subspan(kNotifyLogHeaderBytes);
  if (load_le<std::uint32_t>(file.data() + kCrcOffset) != crc32c(body.data(), body.size())) {
    return fail(kCrcOffset, "crc");
  }
  Reader r(body);
  const auto at = [&r] { return kNotifyLogHeaderBytes + r.offset(); };
  std::uint32_t count = 0;
  // Each entry takes at least 24 bytes: a count the rest cannot hold is garbage.
  if (!r.get(count) || count > r.remaining() / 24) return fail(at(), "entry count");
  std::vector<NotifyLogEntry> out(count);
  for (NotifyLogEntry& e : out) {
    std::uint64_t ns = 0;
    std::uint32_t n = 0;
    if (!r.get_str(e.tenant_id)) return fail(at(), "tenant_id");
    if (!r.get(e.group_key)) return fail(at(), "group_key");
    if (!r.get(ns)) return fail(at(), "last_notify");
    e.last_notify = TimePoint(std::chrono::nanoseconds(static_cast<std::int64_t>(ns)));
    if (!r.get(n) || n > r.remaining() / 8) return fail(at(), "firing count");
    e.firing.resize(n);
    for (std::uint64_t& fp : e.firing) r.get(fp);
  }
  if (r.remaining() != 0) return fail(at(), "length", "trailing bytes");
  return out;
}

}  // namespace alertgate::wal
