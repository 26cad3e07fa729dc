#include "alertgate/json_text.hpp"

#include <cstdint>
#include <cstring>

namespace alertgate {

namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

inline std::uint64_t load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// Non-zero iff some byte of `w` is zero (exact for "any", the classic SWAR test).
constexpr std::uint64_t has_zero(std::uint64_t w) { return (w - kOnes) & ~w & kHighs; }

// Non-zero iff some byte of `w` needs attention in a JSON string: < 0x20, '"', '\\', 0x7f
// or >= 0x80 (must be checked as UTF-8). Checking 8 bytes at a time lets plain ASCII text
// be copied in long runs.
constexpr std::uint64_t needs_attention(std::uint64_t w) {
  const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  return below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) |
         has_zero(w ^ (kOnes * 0x7f)) | (w & kHighs);
}

inline bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence starting at p[0] (which is >= 0x80), or 0 if the
// bytes there are not a valid sequence. `avail` bytes are readable.
inline std::size_t utf8_seq_len(const unsigned char* p, std::size_t avail) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  if (c < 0xC2) return 0;  // stray continuation byte or overlong 2-byte form
  if (c < 0xE0) return (avail >= 2 && is_cont(p[1])) ? 2 : 0;
  if (c < 0xF0) {
    if (avail < 3) return 0;
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;  // no overlongs
    const unsigned char hi = c == 0xED ? 0x9F : 0xBF;  // no surrogates
    return (p[1] >= lo && p[1] <= hi && is_cont(p[2])) ? 3 : 0;
  }
  if (c < 0xF5) {
    if (avail < 4) return 0;
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80;  // no overlongs
    const unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;  // nothing above U+10FFFF
    return (p[1] >= lo && p[1] <= hi && is_cont(p[2]) && is_cont(p[3])) ? 4 : 0;
  }
  return 0;
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

void append_json_string(std::string& out, std::string_view utf8) {
  const char* p = utf8.data();
  const std::size_t n = utf8.size();
  out.reserve(out.size() + n + 2);
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied
  std::size_t i = 0;
  while (i < n) {
    while (i + 8 <= n && !needs_attention(load8(p + i))) i += 8;
    if (i >= n) break;
    const auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t len = utf8_seq_len(reinterpret_cast<const unsigned char*>(p + i), n - i);
      if (len != 0) {
        i += len;
        continue;
      }
      out.append(p + run, i - run);
      out.append("\xEF\xBF\xBD");  // U+FFFD for this one byte
      run = ++i;
      continue;
    }
    out.append(p + run, i - run);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(esc, sizeof esc);
      }
    }
    run = ++i;
  }
  out.append(p + run, n - run);
  out.push_back('"');
}

std::size_t first_invalid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    while (i + 8 <= n && (load8(text.data() + i) & kHighs) == 0) i += 8;
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = utf8_seq_len(p + i, n - i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

bool valid_utf8(std::string_view text) {
  return first_invalid_utf8(text) == std::string_view::npos;
}

}  // namespace alertgate
