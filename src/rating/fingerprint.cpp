#include <xxhash.h>

#include <string>

#include "alertgate/rating.hpp"

namespace alertgate {

std::uint64_t fingerprint(const LabelSet& sorted_labels) {
  // One-shot XXH3 over "name\xffvalue\xff..." built in a reused per-thread buffer: for
  // label sets of a few dozen bytes this is several times faster than the streaming API.
  thread_local std::string buf;
  buf.clear();
  for (const auto& l : sorted_labels) {
    buf.append(l.name);
    buf.push_back('\xff');
    buf.append(l.value);
    buf.push_back('\xff');
  }
  return XXH3_64bits(buf.data(), buf.size());
}

std::uint64_t fingerprint_of_dedup_key(std::string_view key) {
  thread_local std::string buf;
  buf.assign("dedup_key\xff");
  buf.append(key);
  buf.push_back('\xff');
  return XXH3_64bits(buf.data(), buf.size());
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
