// Alertmanager matcher syntax. Columns in errors count characters (code points) from 1,
// so a message points at the right place in a line that holds non-ASCII values.
#include "alertgate/matcher.hpp"

#include <optional>
#include <string>
#include <utility>

#include "regex_program.hpp"

namespace alertgate {

namespace {

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool valid_name(std::string_view n) {
  if (n.empty() || !name_start(n[0])) return false;
  for (char c : n) {
    if (!name_char(c)) return false;
  }
  return true;
}

class MatcherParser {
 public:
  explicit MatcherParser(std::string_view text) : t_(text) {}

  // One matcher from i_; in a list, an unquoted value stops at `,` or `}`.
  Result<Matcher, std::string> one(bool in_list) {
    skip_space();
    const std::size_t name_at = i_;
    if (i_ >= t_.size() || !name_start(t_[i_])) return fail("expected a label name", i_);
    while (i_ < t_.size() && name_char(t_[i_])) ++i_;
    std::string name(t_.substr(name_at, i_ - name_at));
    skip_space();
    MatchOp op;
    const std::string_view rest = t_.substr(i_);
    if (rest.starts_with("=~"))
      op = MatchOp::regex, i_ += 2;
    else if (rest.starts_with("!~"))
      op = MatchOp::not_regex, i_ += 2;
    else if (rest.starts_with("!="))
      op = MatchOp::not_equal, i_ += 2;
    else if (rest.starts_with("="))
      op = MatchOp::equal, i_ += 1;
    else
      return fail("expected one of =, !=, =~, !~", i_);
    skip_space();
    const std::size_t value_at = i_;
    std::string value;
    if (i_ < t_.size() && t_[i_] == '"') {
      if (auto err = quoted(value)) return unexpected(std::move(*err));
      skip_space();
      if (i_ < t_.size() && !(in_list && (t_[i_] == ',' || t_[i_] == '}'))) {
        return fail("unexpected text after the quoted value", i_);
      }
    } else {
      const std::size_t start = i_;
      while (i_ < t_.size() && !(in_list && (t_[i_] == ',' || t_[i_] == '}'))) ++i_;
      std::size_t end = i_;
      while (end > start && space(t_[end - 1])) --end;
      value = std::string(t_.substr(start, end - start));
      if (value.find('"') != std::string::npos) {
        return fail("unquoted value contains a quote; quote the whole value", start);
      }
    }
    auto m = make_matcher(std::move(name), op, std::move(value));
    if (!m) return unexpected(prefix(value_at) + m.error());
    return m;
  }

  Result<std::vector<Matcher>, std::string> list() {
    std::vector<Matcher> out;
    skip_space();
    const bool braces = i_ < t_.size() && t_[i_] == '{';
    if (braces) ++i_;
    while (true) {
      skip_space();
      if (i_ >= t_.size() || t_[i_] == '}') break;
      auto m = one(true);
      if (!m) return unexpected(std::move(m).error());
      out.push_back(std::move(*m));
      skip_space();
      if (i_ < t_.size() && t_[i_] == ',')
        ++i_;
      else
        break;
    }
    if (braces) {
      if (i_ >= t_.size() || t_[i_] != '}') return fail("expected , or }", i_);
      ++i_;
      skip_space();
    }
    if (i_ < t_.size()) return fail(braces ? "unexpected text after }" : "expected ,", i_);
    return out;
  }

 private:
  void skip_space() {
    while (i_ < t_.size() && space(t_[i_])) ++i_;
  }

  std::string prefix(std::size_t at) const {
    std::size_t col = 1;  // count code points, not continuation bytes
    for (std::size_t k = 0; k < at && k < t_.size(); ++k) {
      if ((static_cast<unsigned char>(t_[k]) & 0xC0) != 0x80) ++col;
    }
    return "column " + std::to_string(col) + ": ";
  }
  Unexpected<std::string> fail(std::string_view what, std::size_t at) const {
    return unexpected(prefix(at) + std::string(what));
  }

  // A "..." value at i_; returns an error message, or nothing and `out` filled.
  std::optional<std::string> quoted(std::string& out) {
    const std::size_t open = i_++;
    while (i_ < t_.size() && t_[i_] != '"') {
      if (t_[i_] != '\\') {
        out += t_[i_++];
        continue;
      }
      if (i_ + 1 >= t_.size()) return fail("unterminated quoted value", open).error;
      const char e = t_[i_ + 1];
      if (e == '"' || e == '\\')
        out += e;
      else if (e == 'n')
        out += '\n';
      else
        return fail(std::string("invalid escape \\") + e + " in quoted value", i_).error;
      i_ += 2;
    }
    if (i_ >= t_.size()) return fail("unterminated quoted value", open).error;
    ++i_;
    return std::nullopt;
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

}  // namespace

std::string_view to_string(MatchOp op) {
  switch (op) {
    case MatchOp::equal: return "=";
    case MatchOp::not_equal: return "!=";
    case MatchOp::regex: return "=~";
    case MatchOp::not_regex: return "!~";
  }
  return "?";
}

bool Matcher::matches_value(std::string_view v) const {
  switch (op) {
    case MatchOp::equal: return v == value;
    case MatchOp::not_equal: return v != value;
    case MatchOp::regex: return program->matches(v);
    case MatchOp::not_regex: return !program->matches(v);
  }
  return false;
}

bool Matcher::matches(const LabelSet& labels) const {
  const std::string* v = find_label(labels, name);
  return matches_value(v ? std::string_view(*v) : std::string_view());
}

std::string to_string(const Matcher& m) {
  std::string out = m.name;
  out += to_string(m.op);
  out += '"';
  for (char c : m.value) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  out += '"';
  return out;
}

Result<Matcher, std::string> make_matcher(std::string name, MatchOp op, std::string value) {
  if (!valid_name(name)) {
    return unexpected("invalid label name \"" + name + "\" (want [a-zA-Z_][a-zA-Z0-9_]*)");
  }
  Matcher m{std::move(name), op, std::move(value), nullptr};
  if (op == MatchOp::regex || op == MatchOp::not_regex) {
    auto p = regex::Program::compile(m.value);
    if (!p) return unexpected("invalid regex: " + p.error());
    m.program = std::make_shared<const regex::Program>(std::move(*p));
  }
  return m;
}

Result<Matcher, std::string> parse_matcher(std::string_view text) {
  MatcherParser p(text);
  auto m = p.one(false);
  return m;
}

Result<std::vector<Matcher>, std::string> parse_matchers(std::string_view text) {
  return MatcherParser(text).list();
}

}  // namespace alertgate
