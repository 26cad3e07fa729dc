// Recursive-descent parser for the matcher regex subset (see regex_program.hpp). The
// recursion follows group nesting in the pattern, which is bounded by kMaxNesting, never
// the value being matched.
#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "regex_program.hpp"

namespace alertgate::regex {

namespace {

using Ranges = std::vector<CodeRange>;

const Ranges kDigit = {{'0', '9'}};
const Ranges kWord = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
const Ranges kSpace = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};

class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  Result<Ast, std::string> run() {
    const std::uint32_t root = alternation(0);
    if (error_.empty() && i_ < p_.size()) fail("unbalanced parenthesis", i_);  // a stray ')'
    if (!error_.empty()) return unexpected(std::move(error_));
    ast_.root = root;
    return std::move(ast_);
  }

 private:
  bool done() const { return !error_.empty() || i_ >= p_.size(); }
  void fail(std::string_view what, std::size_t at) {
    if (error_.empty()) error_ = std::string(what) + " at " + std::to_string(at + 1);
  }
  std::uint32_t add(Node n) {
    ast_.nodes.push_back(std::move(n));
    return static_cast<std::uint32_t>(ast_.nodes.size() - 1);
  }
  std::uint32_t add_class(const Ranges& r, bool negated) {
    ast_.classes.emplace_back(r, negated);
    return add(
        Node{.kind = NodeKind::cls, .cls = static_cast<std::uint32_t>(ast_.classes.size() - 1)});
  }

  std::uint32_t alternation(int depth) {
    std::vector<std::uint32_t> branches{concatenation(depth)};
    while (!done() && p_[i_] == '|') {
      ++i_;
      branches.push_back(concatenation(depth));
    }
    if (branches.size() == 1) return branches[0];
    return add(Node{.kind = NodeKind::alternate, .children = std::move(branches)});
  }

  std::uint32_t concatenation(int depth) {
    std::vector<std::uint32_t> items;
    while (!done() && p_[i_] != '|' && p_[i_] != ')') {
      const std::uint32_t a = atom(depth);
      if (!error_.empty()) break;
      items.push_back(quantified(a));
    }
    if (items.empty()) return add(Node{.kind = NodeKind::empty});
    if (items.size() == 1) return items[0];
    return add(Node{.kind = NodeKind::concat, .children = std::move(items)});
  }

  // Parses `{n}`, `{n,}`, `{n,m}` at i_ without consuming; false if it is not one (then
  // `{` is a literal, as in RE2). `end` is the index after `}`.
  bool repeat_spec(int& min, int& max, std::size_t& end) const {
    std::size_t j = i_ + 1;
    const auto number = [&](int& out) {
      const std::size_t start = j;
      long v = 0;
      while (j < p_.size() && p_[j] >= '0' && p_[j] <= '9' && j - start < 8)
        v = v * 10 + (p_[j++] - '0');
      out = static_cast<int>(v);
      return j > start;
    };
    if (!number(min)) return false;
    max = min;
    if (j < p_.size() && p_[j] == ',') {
      ++j;
      if (!number(max)) max = -1;
    }
    if (j >= p_.size() || p_[j] != '}') return false;
    end = j + 1;
    return true;
  }

  std::uint32_t quantified(std::uint32_t a) {
    bool quantified_once = false;
    while (!done()) {
      int min = 0;
      int max = -1;
      std::size_t end = i_ + 1;
      const char c = p_[i_];
      if (c == '*')
        min = 0, max = -1;
      else if (c == '+')
        min = 1, max = -1;
      else if (c == '?')
        min = 0, max = 1;
      else if (c != '{' || !repeat_spec(min, max, end))
        break;
      if (quantified_once) {
        fail("invalid nested repetition operator", i_);
        break;
      }
      if (min > kMaxRepeat || max > kMaxRepeat || (max >= 0 && max < min)) {
        fail("invalid repeat count", i_);
        break;
      }
      i_ = end;
      if (i_ < p_.size() && p_[i_] == '?') ++i_;  // lazy: same set of full matches
      a = add(Node{.kind = NodeKind::repeat, .min = min, .max = max, .children = {a}});
      quantified_once = true;
    }
    return a;
  }

  std::uint32_t atom(int depth) {
    const std::size_t at = i_;
    const char c = p_[i_];
    int min = 0;
    int max = 0;
    std::size_t end = 0;
    switch (c) {
      case '(': {
        if (depth + 1 > kMaxNesting) return fail("nesting too deep", at), 0;
        ++i_;
        if (p_.substr(i_, 2) == "?:") {
          i_ += 2;
        } else if (i_ < p_.size() && p_[i_] == '?') {
          return fail("unsupported group syntax (only (?:...))", at), 0;
        }
        const std::uint32_t inner = alternation(depth + 1);
        if (!error_.empty()) return 0;
        if (i_ >= p_.size() || p_[i_] != ')') return fail("unbalanced parenthesis", at), 0;
        ++i_;
        return inner;
      }
      case '[': return char_class();
      case '.': ++i_; return add(Node{.kind = NodeKind::any});
      case '^': ++i_; return add(Node{.kind = NodeKind::begin});
      case '$': ++i_; return add(Node{.kind = NodeKind::end});
      case '*':
      case '+':
      case '?': return fail("missing argument to repetition operator", at), 0;
      case '{':
        if (repeat_spec(min, max, end))
          return fail("missing argument to repetition operator", at), 0;
        ++i_;
        return add(Node{.kind = NodeKind::literal, .ch = '{'});
      case '\\': {
        Ranges r;
        bool negated = false;
        char32_t lit = 0;
        if (!escape(r, negated, lit)) return 0;
        if (!r.empty()) return add_class(r, negated);
        return add(Node{.kind = NodeKind::literal, .ch = lit});
      }
      default: {
        const char32_t cp = pattern_char();
        return error_.empty() ? add(Node{.kind = NodeKind::literal, .ch = cp}) : 0;
      }
    }
  }

  char32_t pattern_char() {
    std::size_t w = 1;
    const char32_t cp = decode_utf8(p_, i_, w);
    if (cp == kInvalidByte) fail("invalid UTF-8", i_);
    i_ += w;
    return cp;
  }

  // After `\` at i_: a class escape fills `r` (and `negated`), a literal sets `lit`.
  bool escape(Ranges& r, bool& negated, char32_t& lit) {
    const std::size_t at = i_;
    if (++i_ >= p_.size()) return fail("trailing backslash", at), false;
    const char c = p_[i_++];
    switch (c) {
      case 'd':
      case 'D':
        r = kDigit;
        negated = c == 'D';
        return true;
      case 'w':
      case 'W':
        r = kWord;
        negated = c == 'W';
        return true;
      case 's':
      case 'S':
        r = kSpace;
        negated = c == 'S';
        return true;
      case 'n': lit = '\n'; return true;
      case 't': lit = '\t'; return true;
      case 'r': lit = '\r'; return true;
      case 'f': lit = '\f'; return true;
      case 'v': lit = '\v'; return true;
      default: break;
    }
    if (static_cast<unsigned char>(c) < 0x80 && std::ispunct(static_cast<unsigned char>(c))) {
      lit = static_cast<unsigned char>(c);
      return true;
    }
    fail("invalid escape sequence \\" + std::string(1, c), at);
    return false;
  }

  std::uint32_t char_class() {
    const std::size_t open = i_++;
    bool negated = false;
    if (i_ < p_.size() && p_[i_] == '^') negated = true, ++i_;
    Ranges ranges;
    bool first = true;
    while (true) {
      if (i_ >= p_.size()) return fail("missing closing ]", open), 0;
      if (p_[i_] == ']' && !first) break;
      first = false;
      if (p_.substr(i_, 2) == "[:") return fail("unsupported POSIX class", i_), 0;
      const std::size_t item_at = i_;
      char32_t lo = 0;
      if (!class_char(ranges, lo)) {
        if (!error_.empty()) return 0;
        continue;  // a class escape like \d was added
      }
      char32_t hi = lo;
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        ++i_;
        if (!class_char(ranges, hi)) return fail("invalid character class range", item_at), 0;
        if (hi < lo) return fail("invalid character class range", item_at), 0;
      }
      ranges.push_back({lo, hi});
    }
    ++i_;
    return add_class(ranges, negated);
  }

  // One class member: false when it was a class escape (appended to `ranges`) or an error.
  bool class_char(Ranges& ranges, char32_t& out) {
    if (i_ >= p_.size()) return fail("missing closing ]", i_), false;
    if (p_[i_] != '\\') {
      out = pattern_char();
      return error_.empty();
    }
    Ranges r;
    bool neg = false;
    if (!escape(r, neg, out)) return false;
    if (r.empty()) return true;
    if (!neg) {  // else expand the complement into ranges
      ranges.insert(ranges.end(), r.begin(), r.end());
    } else {
      char32_t next = 0;
      for (const CodeRange& x : r) {
        if (x.lo > next) ranges.push_back({next, x.lo - 1});
        next = x.hi + 1;
      }
      ranges.push_back({next, kMaxCodePoint});
    }
    return false;
  }

  std::string_view p_;
  std::size_t i_ = 0;
  Ast ast_;
  std::string error_;
};

}  // namespace

Result<Ast, std::string> parse(std::string_view pattern) {
  if (pattern.size() > kMaxPatternBytes) {
    return unexpected("regex longer than " + std::to_string(kMaxPatternBytes) + " bytes");
  }
  return Parser(pattern).run();
}

}  // namespace alertgate::regex
