// The set-simulation VM, UTF-8 decoding and character classes. Why a set simulation and
// not backtracking: matcher regexes come from tenant policy files and values from alert
// senders, neither trusted; a Thompson simulation is linear in the value whatever the
// pattern (`(a*)*b` included), and needs no recursion.
#include <algorithm>
#include <iterator>
#include <utility>

#include "regex_program.hpp"

namespace alertgate::regex {

char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t& width) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c0 = b(0);
  width = 1;
  if (c0 < 0x80) return c0;
  std::size_t n = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (c0 >= 0xC2 && c0 <= 0xDF)
    n = 1, cp = c0 & 0x1F, min = 0x80;
  else if (c0 >= 0xE0 && c0 <= 0xEF)
    n = 2, cp = c0 & 0x0F, min = 0x800;
  else if (c0 >= 0xF0 && c0 <= 0xF4)
    n = 3, cp = c0 & 0x07, min = 0x10000;
  else
    return kInvalidByte;
  if (i + n >= s.size()) return kInvalidByte;
  for (std::size_t k = 1; k <= n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return kInvalidByte;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if (cp < min || cp > kMaxCodePoint || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalidByte;
  width = n + 1;
  return cp;
}

CharClass::CharClass(std::vector<CodeRange> ranges, bool negated) {
  std::sort(ranges.begin(), ranges.end(),
            [](const CodeRange& a, const CodeRange& b) { return a.lo < b.lo; });
  std::vector<CodeRange> merged;
  for (const CodeRange& r : ranges) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  if (negated) {
    std::vector<CodeRange> inv;
    char32_t next = 0;
    for (const CodeRange& r : merged) {
      if (r.lo > next) inv.push_back({next, r.lo - 1});
      next = r.hi + 1;
    }
    if (next <= kMaxCodePoint) inv.push_back({next, kMaxCodePoint});
    merged = std::move(inv);
  }
  ranges_ = std::move(merged);
  for (const CodeRange& r : ranges_) {
    for (char32_t c = r.lo; c <= r.hi && c < 128; ++c)
      ascii_[c >> 6] |= std::uint64_t{1} << (c & 63);
  }
}

bool CharClass::contains(char32_t c) const {
  if (c < 128) return (ascii_[c >> 6] >> (c & 63)) & 1;
  if (c == kInvalidByte) c = 0xFFFD;  // Go reads an invalid byte as U+FFFD
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), c,
                             [](char32_t v, const CodeRange& r) { return v < r.lo; });
  return it != ranges_.begin() && c <= std::prev(it)->hi;
}

bool Program::matches(std::string_view value) const {
  switch (kind_) {
    case Kind::literals:
      return std::find(literals_.begin(), literals_.end(), value) != literals_.end();
    case Kind::prefix:  // `lit.*`: `.` takes any code point but "\n", invalid bytes included
      return value.starts_with(literals_[0]) &&
             value.find('\n', literals_[0].size()) == std::string_view::npos;
    case Kind::suffix:
      return value.ends_with(literals_[0]) &&
             value.substr(0, value.size() - literals_[0].size()).find('\n') ==
                 std::string_view::npos;
    case Kind::vm: return run_vm(value);
  }
  return false;
}

namespace {

// Sparse set of program counters (Briggs-Torczon): O(1) clear, insert and lookup.
struct SparseSet {
  std::vector<std::uint32_t> sparse;
  std::vector<std::uint32_t> dense;
  std::uint32_t size = 0;

  void reset(std::size_t capacity) {
    if (sparse.size() < capacity) {
      sparse.resize(capacity);
      dense.resize(capacity);
    }
    size = 0;
  }
  bool contains(std::uint32_t pc) const {
    const std::uint32_t d = sparse[pc];
    return d < size && dense[d] == pc;
  }
  void insert(std::uint32_t pc) {
    sparse[pc] = size;
    dense[size++] = pc;
  }
};

struct Scratch {
  SparseSet a;
  SparseSet b;
  std::vector<std::uint32_t> stack;
};

}  // namespace

bool Program::run_vm(std::string_view value) const {
  thread_local Scratch scratch;
  SparseSet* cur = &scratch.a;
  SparseSet* next = &scratch.b;
  cur->reset(prog_.size());
  next->reset(prog_.size());
  std::vector<std::uint32_t>& stack = scratch.stack;

  // Adds `start` and everything reachable from it without consuming input at `pos`.
  const auto add = [&](SparseSet& set, std::uint32_t start, std::size_t pos) {
    stack.clear();
    stack.push_back(start);
    while (!stack.empty()) {
      const std::uint32_t pc = stack.back();
      stack.pop_back();
      if (set.contains(pc)) continue;
      set.insert(pc);
      const Inst& in = prog_[pc];
      switch (in.op) {
        case Op::jmp: stack.push_back(in.x); break;
        case Op::split:
          stack.push_back(in.y);
          stack.push_back(in.x);
          break;
        case Op::begin:
          if (pos == 0) stack.push_back(pc + 1);
          break;
        case Op::end:
          if (pos == value.size()) stack.push_back(pc + 1);
          break;
        default: break;
      }
    }
  };

  add(*cur, 0, 0);
  for (std::size_t pos = 0; pos < value.size();) {
    if (cur->size == 0) return false;
    std::size_t width = 1;
    const char32_t c = decode_utf8(value, pos, width);
    next->size = 0;
    for (std::uint32_t k = 0; k < cur->size; ++k) {
      const std::uint32_t pc = cur->dense[k];
      const Inst& in = prog_[pc];
      bool step = false;
      switch (in.op) {
        case Op::ch: step = c == in.c; break;
        case Op::any: step = c != '\n'; break;
        case Op::cls: step = classes_[in.x].contains(c); break;
        default: break;
      }
      if (step) add(*next, pc + 1, pos + width);
    }
    std::swap(cur, next);
    pos += width;
  }
  for (std::uint32_t k = 0; k < cur->size; ++k) {
    if (prog_[cur->dense[k]].op == Op::match) return true;
  }
  return false;
}

}  // namespace alertgate::regex
