// regex::Program: the compiled, fully anchored regular expressions behind `=~` / `!~`
// matchers (include/alertgate/matcher.hpp). Private to the policy stage.
//
// Syntax is an RE2 subset: literals, `.`, classes `[a-z0-9_]` / `[^...]`, the escapes
// \d \w \s \D \W \S \n \t \r \f \v and escaped punctuation, `|`, `(...)`, `(?:...)`,
// `* + ? {n} {n,} {n,m}` (optionally lazy with a trailing `?`, which changes nothing for a
// full match), `^` and `$`. The whole pattern is implicitly anchored: `^(?:re)$`.
// Backreferences, lookaround, flags and named/POSIX/Unicode classes are refused.
//
// UTF-8: both pattern and value are read as UTF-8 code points, as Go's regexp does, so
// `.` and classes (negated ones too) consume one whole code point ("é" matches `.` and
// `[^a]`, not `..`). The pattern must be valid UTF-8. In a value, each byte of an invalid
// sequence counts as one code point that equals no literal but is matched by `.` and by
// classes containing U+FFFD (again as Go does). `.` does not match "\n" (no `(?s)`),
// like Alertmanager's `^(?:re)$` in Go.
//
// Engine: a Thompson NFA program run as a set simulation over a sparse set (no
// backtracking, no recursion: O(program x value) time, O(program) memory). Patterns that
// are a literal, an alternation of literals, `lit.*` or `.*lit` skip the VM and compare
// strings. Limits: pattern <= 1024 bytes, nesting <= 100 groups, repeat counts <= 1000,
// program <= 20000 instructions.
//
// A Program is immutable after compile(); matches() is safe to call from any thread (the
// scratch sets are thread_local, reused, so steady-state matching does not allocate).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/result.hpp"

namespace alertgate::regex {

inline constexpr std::size_t kMaxPatternBytes = 1024;
inline constexpr int kMaxRepeat = 1000;
inline constexpr int kMaxNesting = 100;
inline constexpr std::size_t kMaxProgramSize = 20000;
inline constexpr char32_t kMaxCodePoint = 0x10FFFF;
inline constexpr char32_t kInvalidByte = 0x110000;  // a value byte that is not valid UTF-8

struct CodeRange {
  char32_t lo;
  char32_t hi;  // inclusive
};

// A set of code points, built from ranges (any order, overlapping allowed).
class CharClass {
 public:
  explicit CharClass(std::vector<CodeRange> ranges, bool negated);
  bool contains(char32_t c) const;

 private:
  std::array<std::uint64_t, 2> ascii_{};
  std::vector<CodeRange> ranges_;  // sorted, disjoint
};

enum class NodeKind : std::uint8_t {
  empty,
  literal,
  any,
  cls,
  begin,
  end,
  concat,
  alternate,
  repeat
};

struct Node {
  NodeKind kind = NodeKind::empty;
  char32_t ch = 0;                        // literal
  std::uint32_t cls = 0;                  // index into Ast::classes
  int min = 0;                            // repeat
  int max = -1;                           // repeat; -1 = unbounded
  std::vector<std::uint32_t> children{};  // concat, alternate, repeat (one child)
};

struct Ast {
  std::vector<Node> nodes;
  std::vector<CharClass> classes;
  std::uint32_t root = 0;
};

// Errors: "<what> at <1-based byte position in the pattern>".
Result<Ast, std::string> parse(std::string_view pattern);

// Decodes one code point of `s` at `i` (i < s.size()); an invalid byte gives kInvalidByte
// with width 1.
char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t& width);

class Program {
 public:
  enum class Kind : std::uint8_t { literals, prefix, suffix, vm };

  // `fast_paths` = false forces the VM (tests and the fuzzer compare both).
  static Result<Program, std::string> compile(std::string_view pattern, bool fast_paths = true);

  bool matches(std::string_view value) const;
  Kind kind() const { return kind_; }

 private:
  enum class Op : std::uint8_t { ch, any, cls, split, jmp, begin, end, match };
  struct Inst {
    Op op;
    char32_t c = 0;       // ch
    std::uint32_t x = 0;  // cls index, split/jmp target
    std::uint32_t y = 0;  // split second target
  };
  friend class Compiler;

  bool run_vm(std::string_view value) const;

  Kind kind_ = Kind::vm;
  std::vector<std::string> literals_;  // literals: any of; prefix/suffix: exactly one
  std::vector<Inst> prog_;
  std::vector<CharClass> classes_;
};

}  // namespace alertgate::regex
