// Text helpers of the strict YAML loading: suggestions for misspelt keys, quoting values
// in messages, and the nesting pre-scan run before yaml-cpp.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/yaml_reader.hpp"

namespace alertgate {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment over three rolling rows; config keys are short.
  std::vector<std::size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string_view closest_match(std::string_view word,
                               const std::vector<std::string_view>& candidates) {
  if (word.size() > 64) return {};  // keeps the distance computation cheap on junk input
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance && d < word.size()) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  const std::string_view best = closest_match(word, candidates);
  if (best.empty()) return {};
  return " (did you mean \"" + std::string(best) + "\"?)";
}

std::string quote_for_message(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == kMax) {
      out += "…";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

std::optional<int> find_deep_nesting(std::string_view text, int limit) {
  int flow = 0;
  int line = 1;
  char quote = 0;          // the open quote character, or 0
  bool line_start = true;  // only indentation seen so far on this line
  int column = 0;          // block indentation of this line, counting "- " indicators
  char prev = '\n';
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = quote == 0;
      column = 0;
      prev = c;
      continue;
    }
    if (quote != 0) {
      if (quote == '"' && c == '\\') {
        ++i;  // skip the escaped character (an escaped newline ends up in `prev` only)
      } else if (c == quote) {
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;  // '' inside single quotes
        } else {
          quote = 0;
        }
      }
      prev = c;
      continue;
    }
    if (line_start) {
      const bool indicator = (c == '-' || c == '?' || c == ':') &&
                             (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n');
      if (c == ' ' || c == '\t' || indicator) {
        if (++column >= 2 * limit) return line;
        prev = c;
        continue;
      }
      line_start = false;
    }
    const bool after_separator = prev == ' ' || prev == '\t' || prev == '\n' || prev == '[' ||
                                 prev == '{' || prev == ',' || prev == ':' || prev == '-';
    if (c == '#' && (prev == ' ' || prev == '\t' || prev == '\n')) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      prev = c;
      continue;
    }
    if ((c == '"' || c == '\'') && after_separator) {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++flow > limit) return line;
    } else if ((c == ']' || c == '}') && flow > 0) {
      --flow;
    }
    prev = c;
  }
  return std::nullopt;
}

namespace {

// The byte a one-character double-quoted escape `\c` stands for; 0 with *ok false when
// `c` starts a longer escape (\x, \u, \U, \N, \L, \P, \_) or is not an escape.
char simple_escape(char c, bool* ok) {
  *ok = true;
  switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case ' ': return ' ';
    case '0': return '\0';
    case 'a': return '\a';
    case 'b': return '\b';
    case 't': return '\t';
    case '\t': return '\t';
    case 'n': return '\n';
    case 'v': return '\v';
    case 'f': return '\f';
    case 'r': return '\r';
    case 'e': return '\x1b';
    default: *ok = false; return 0;
  }
}

}  // namespace

std::optional<YAML::Mark> YamlReader::mark_in_scalar(const YAML::Node& scalar,
                                                     std::size_t index) const {
  if (!scalar.IsScalar()) return std::nullopt;
  const YAML::Mark start = scalar.Mark();
  const std::string& value = scalar.Scalar();
  if (start.pos < 0 || static_cast<std::size_t>(start.pos) >= source_.size() ||
      index > value.size()) {
    return std::nullopt;
  }
  const std::string_view src(source_);
  const auto begin = static_cast<std::size_t>(start.pos);
  const char quote = src[begin];
  // Walks the source beside the value, byte by byte; any disagreement (a folded line, a
  // tag or anchor before the scalar, a long escape) means the mapping is not exact.
  std::size_t i = begin + (quote == '\'' || quote == '"' ? 1 : 0);
  for (std::size_t decoded = 0; decoded < index; ++decoded) {
    if (i >= src.size() || src[i] == '\n' || src[i] == '\r') return std::nullopt;
    char c = src[i];
    std::size_t width = 1;
    if (quote == '\'' && c == '\'') {
      if (i + 1 >= src.size() || src[i + 1] != '\'') return std::nullopt;
      width = 2;
    } else if (quote == '"' && c == '"') {
      return std::nullopt;
    } else if (quote == '"' && c == '\\') {
      bool ok = false;
      if (i + 1 >= src.size()) return std::nullopt;
      c = simple_escape(src[i + 1], &ok);
      if (!ok) return std::nullopt;
      width = 2;
    }
    if (c != value[decoded]) return std::nullopt;
    i += width;
  }
  YAML::Mark at = start;
  at.pos = static_cast<int>(i);
  at.column = start.column + static_cast<int>(i - begin);
  return at;
}

}  // namespace alertgate
