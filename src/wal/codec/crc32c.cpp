#include "alertgate/wal/crc32c.hpp"

#include <cstring>

#include <boost/crc.hpp>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace alertgate::wal {

namespace {

// The seed/result convention of crc32c() is "finalised" values (xor-out applied), so a
// piecewise checksum passes the previous result; both versions undo the xor-out first.
constexpr std::uint32_t kXor = 0xFFFFFFFFu;

}  // namespace

std::uint32_t crc32c_portable(const void* data, std::size_t size, std::uint32_t seed) {
  // Boost takes the initial remainder unreflected and reflects it itself; the running
  // remainder of a reflected CRC (what `seed ^ kXor` is) is already reflected.
  std::uint32_t init = seed ^ kXor;
  std::uint32_t unreflected = 0;
  for (int i = 0; i < 32; ++i) unreflected |= ((init >> i) & 1u) << (31 - i);
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc(unreflected);
  crc.process_bytes(data, size);
  return crc.checksum();
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc32c_hardware(const void* data, std::size_t size,
                                                                std::uint32_t seed) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t crc = seed ^ kXor;
  // Byte steps until 8-byte aligned, then 8 bytes per instruction, then the rest.
  while (size > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7u) != 0) {
    crc = _mm_crc32_u8(static_cast<std::uint32_t>(crc), *p++);
    --size;
  }
  while (size >= 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, 8);
    crc = _mm_crc32_u64(crc, word);
    p += 8;
    size -= 8;
  }
  while (size > 0) {
    crc = _mm_crc32_u8(static_cast<std::uint32_t>(crc), *p++);
    --size;
  }
  return static_cast<std::uint32_t>(crc) ^ kXor;
}

bool crc32c_hardware_available() {
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
}
#else
std::uint32_t crc32c_hardware(const void* data, std::size_t size, std::uint32_t seed) {
  return crc32c_portable(data, size, seed);
}
bool crc32c_hardware_available() { return false; }
#endif

std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t seed) {
  return crc32c_hardware_available() ? crc32c_hardware(data, size, seed)
                                     : crc32c_portable(data, size, seed);
}

}  // namespace alertgate::wal
