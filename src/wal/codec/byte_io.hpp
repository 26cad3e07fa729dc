// Little-endian writing and bounds-checked reading for the WAL codecs (private to the
// stage).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace alertgate::wal::detail {

inline void put_u8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }

template <class U>
void put_le(std::string& out, U v) {
  for (std::size_t i = 0; i < sizeof(U); ++i) {
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(v >> (8 * i))));
  }
}

inline void put_str(std::string& out, std::string_view s) {
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

template <class U>
U load_le(const std::byte* p) {
  U v = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) {
    v |= static_cast<U>(static_cast<U>(std::to_integer<std::uint8_t>(p[i])) << (8 * i));
  }
  return v;
}

// Reads from untrusted bytes; every get_* returns false instead of reading past the end
// and leaves `failed_at` at the offset of the first failed read.
class Reader {
 public:
  explicit Reader(std::span<const std::byte> bytes) : bytes_(bytes) {}

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return bytes_.size() - pos_; }

  template <class U>
  bool get(U& v) {
    if (remaining() < sizeof(U)) return false;
    v = load_le<U>(bytes_.data() + pos_);
    pos_ += sizeof(U);
    return true;
  }

  bool get_str(std::string& s) {
    std::uint32_t n = 0;
    const std::size_t start = pos_;
    if (!get(n)) return false;
    if (remaining() < n) {
      pos_ = start;
      return false;
    }
    s.assign(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return true;
  }

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
};

}  // namespace alertgate::wal::detail
