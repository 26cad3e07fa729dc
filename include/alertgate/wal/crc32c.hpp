// CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected, init and xor-out 0xFFFFFFFF), the
// checksum of every WAL record and segment header. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace alertgate::wal {

// crc32c("123456789") == 0xE3069283. `crc32c(b, crc32c(a))` == crc32c(a + b): pass the
// previous result as `seed` to checksum a message in pieces. Uses the SSE4.2 instruction
// when the CPU has it (checked once at run time), otherwise the portable one.
std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t seed = 0);

// The portable table-driven version (Boost.CRC). Same results as crc32c().
std::uint32_t crc32c_portable(const void* data, std::size_t size, std::uint32_t seed = 0);

// The SSE4.2 version; call only when crc32c_hardware_available().
std::uint32_t crc32c_hardware(const void* data, std::size_t size, std::uint32_t seed = 0);
bool crc32c_hardware_available();

}  // namespace alertgate::wal
