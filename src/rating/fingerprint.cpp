#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

#include "alertgate/rating.hpp"

namespace alertgate {

std::uint64_t fingerprint(const LabelSet& sorted_labels) {
  // Streaming XXH3 over "name\xffvalue\xff..." without building the string. The state
  // lives on the stack (XXH3_state_t is 576 bytes, aligned), so no allocation.
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  static constexpr char kSep = '\xff';
  for (const auto& l : sorted_labels) {
    XXH3_64bits_update(&state, l.name.data(), l.name.size());
    XXH3_64bits_update(&state, &kSep, 1);
    XXH3_64bits_update(&state, l.value.data(), l.value.size());
    XXH3_64bits_update(&state, &kSep, 1);
  }
  return XXH3_64bits_digest(&state);
}

std::uint64_t fingerprint_of_dedup_key(std::string_view key) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  static constexpr std::string_view kPrefix = "dedup_key\xff";
  static constexpr char kSep = '\xff';
  XXH3_64bits_update(&state, kPrefix.data(), kPrefix.size());
  XXH3_64bits_update(&state, key.data(), key.size());
  XXH3_64bits_update(&state, &kSep, 1);
  return XXH3_64bits_digest(&state);
}

std::string fingerprint_hex(std::uint64_t fp) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[fp & 0xf];
    fp >>= 4;
  }
  return out;
}

}  // namespace alertgate
