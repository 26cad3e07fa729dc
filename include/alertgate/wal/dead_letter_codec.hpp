// The file format of one durable dead letter: data_dir/deadletters/<id, 20 digits>.dl
//
//   offset 0   "AGDL"                magic
//   offset 4   u16 version           kDeadLetterVersion
//   offset 6   u32 crc               CRC32C (crc32c.hpp) of every byte from offset 10 on
//   offset 10  u64 id, str tenant_id, str destination, str destination_name,
//              str destination_type, u64 destination_key, u64 rule_key, str reason,
//              u32 attempts, i64 first_attempt, i64 failed_at (nanoseconds since the epoch),
//              u32 alert count, then per alert: u32 length + encode_alert() (record.hpp)
// Strings are u32 length + bytes; all integers little endian; nothing may follow the last
// alert. Pure functions; any thread. decode_dead_letter() takes untrusted bytes (a damaged
// disk): it is bounds-checked, never reads past the input and returns an error naming the
// field and its byte offset in the file instead of crashing (fuzzed: fuzz_dead_letter).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "alertgate/dead_letters.hpp"
#include "alertgate/result.hpp"

namespace alertgate::wal {

inline constexpr std::uint16_t kDeadLetterVersion = 1;
inline constexpr std::size_t kDeadLetterHeaderBytes = 10;  // magic + version + crc

// Appends the whole file (header included) for `letter` to `out`.
void encode_dead_letter(const DeadLetter& letter, std::string& out);
// Decodes a whole file. Errors: "dead letter: bad <field> at offset <n>[: detail]".
Result<DeadLetter> decode_dead_letter(std::span<const std::byte> file);

// "00000000000000000042.dl" for 42; parse_dead_letter_name() is its inverse (nullopt for
// any other name, "....dl.tmp" included).
std::string dead_letter_file_name(std::uint64_t id);
std::optional<std::uint64_t> parse_dead_letter_name(std::string_view file_name);

}  // namespace alertgate::wal
