// The notification-log snapshot file (data_dir/wal/<dir>/notify.log): what each group of
// each tenant last notified, written by a process at shutdown and read by the process that
// takes over its log, so a restart neither repeats notifications nor loses resolves.
//
//   "AGNL" u16 version u32 crc32c(body) | body: u32 count, then per entry
//   str tenant_id, u64 group_key, i64 last_notify (ns since epoch), u32 n, n x u64 fingerprint
//
// Pure functions; any thread. The decoder takes untrusted bytes: bounds-checked, errors
// name the field and the file offset ("notify log: bad <field> at offset <n>").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "alertgate/result.hpp"
#include "alertgate/time.hpp"

namespace alertgate::wal {

inline constexpr std::uint16_t kNotifyLogVersion = 1;
inline constexpr std::size_t kNotifyLogHeaderBytes = 10;

struct NotifyLogEntry {
  std::string tenant_id;
  std::uint64_t group_key = 0;
  TimePoint last_notify{};
  std::vector<std::uint64_t> firing;  // sorted fingerprints
  friend bool operator==(const NotifyLogEntry&, const NotifyLogEntry&) = default;
};

void encode_notify_log(const std::vector<NotifyLogEntry>& entries, std::string& out);
Result<std::vector<NotifyLogEntry>> decode_notify_log(std::span<const std::byte> file);

}  // namespace alertgate::wal
