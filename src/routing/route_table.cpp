// RouteTable: route() over a compact copy of the rule conditions (see route.hpp for why).
#include <algorithm>
#include <limits>
#include <string_view>

#include "alertgate/route.hpp"

namespace alertgate {

namespace {

std::uint8_t clamp_rating(int r) { return static_cast<std::uint8_t>(std::clamp(r, 0, 255)); }

// Characters that are literal in RE2 syntax outside a class; a conservative set.
bool literal_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == ':' || c == '/' || c == '@' || c == ',' || c == '=' || c == ' ';
}
bool all_literal(std::string_view s) { return std::all_of(s.begin(), s.end(), literal_char); }

struct Simple {
  RouteTable::Test kind;
  std::string value;  // literal(s)
};

// Recognises the regexes that are really literal tests (the matcher is anchored: ^(?:re)$).
// Anything else returns Kind::vm and runs on the policy's compiled program.
Simple simplify(std::string_view re) {
  using Kind = RouteTable::Test;
  if (re == ".*") return {Kind::any, {}};
  if (re == ".+") return {Kind::non_empty, {}};
  if (re.size() > 2 && re.ends_with(".*") && all_literal(re.substr(0, re.size() - 2))) {
    return {Kind::prefix, std::string(re.substr(0, re.size() - 2))};
  }
  if (re.size() > 2 && re.starts_with(".*") && all_literal(re.substr(2))) {
    return {Kind::suffix, std::string(re.substr(2))};
  }
  // a|b|c (a single literal too); an empty alternative matches "".
  std::string alts;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = re.find('|', start);
    const std::string_view alt =
        re.substr(start, bar == std::string_view::npos ? re.npos : bar - start);
    if (!all_literal(alt)) return {Kind::vm, {}};
    alts.append(alt);
    if (bar == std::string_view::npos) break;
    alts.push_back('\xff');
    start = bar + 1;
  }
  return {Kind::any_of, std::move(alts)};
}

bool any_of(std::string_view v, std::string_view alts) {
  while (true) {
    const std::size_t sep = alts.find('\xff');
    if (alts.substr(0, sep) == v) return true;
    if (sep == std::string_view::npos) return false;
    alts.remove_prefix(sep + 1);
  }
}

bool no_newline(std::string_view v) { return v.find('\n') == std::string_view::npos; }

constexpr std::size_t kMaxLiteral = std::numeric_limits<std::uint16_t>::max();

}  // namespace

RouteTable::RouteTable(const TenantPolicy& policy) {
  conds_.reserve(policy.rules.size());
  rules_.reserve(policy.rules.size());
  std::size_t total = 0;
  for (const Rule& r : policy.rules) total += r.match.size();
  matchers_.reserve(total);

  auto add_string = [&](std::string_view s) {
    const auto at = static_cast<std::uint32_t>(arena_.size());
    arena_.append(s);
    return at;
  };
  for (const Rule& r : policy.rules) {
    Cond c;
    c.first = static_cast<std::uint32_t>(matchers_.size());
    c.count = static_cast<std::uint16_t>(r.match.size());
    if (r.severities.empty()) {
      c.severities = 0x0f;
    } else {
      for (Severity s : r.severities) c.severities |= std::uint8_t(1u << static_cast<unsigned>(s));
    }
    // Bounds outside 0..255 cannot come from the loader (0..100); an empty range stays empty.
    c.min_rating = clamp_rating(r.min_rating);
    c.max_rating = clamp_rating(r.max_rating);
    if (r.max_rating < 0 || r.min_rating > 255) c.severities = 0;
    c.continue_matching = r.continue_matching;
    for (const Matcher& m : r.match) {
      Cmp cmp;
      cmp.name_len = static_cast<std::uint16_t>(m.name.size());
      cmp.name_at = add_string(m.name);
      cmp.negate = m.op == MatchOp::not_equal || m.op == MatchOp::not_regex;
      Simple simple{Test::equal, m.value};
      if (m.op == MatchOp::regex || m.op == MatchOp::not_regex) simple = simplify(m.value);
      if (simple.kind != Test::vm && simple.value.size() <= kMaxLiteral) {
        cmp.kind = simple.kind;
        cmp.value_len = static_cast<std::uint16_t>(simple.value.size());
        cmp.value_at = add_string(simple.value);
      } else {
        cmp.kind = Test::vm;
        cmp.negate = false;  // Matcher::matches_value applies the op itself
        cmp.value_at = static_cast<std::uint32_t>(regexes_.size());
        regexes_.push_back(&m);
      }
      matchers_.push_back(cmp);
    }
    // All must match, so the order is free: direct tests before the VM.
    std::stable_sort(matchers_.begin() + c.first, matchers_.end(),
                     [](const Cmp& a, const Cmp& b) { return cost(a) < cost(b); });
    conds_.push_back(c);
    rules_.push_back(&r);
  }
  if (policy.default_rule) default_rule_ = &*policy.default_rule;
  arena_.shrink_to_fit();
}

bool RouteTable::matches(const Cond& c, const Alert& alert) const {
  if ((c.severities & (1u << static_cast<unsigned>(alert.severity))) == 0) return false;
  if (alert.rating < c.min_rating || alert.rating > c.max_rating) return false;
  const char* arena = arena_.data();
  for (std::uint32_t i = c.first, end = c.first + c.count; i < end; ++i) {
    const Cmp& m = matchers_[i];
    const std::string_view name(arena + m.name_at, m.name_len);
    const std::string* found = find_label(alert.labels, name);
    const std::string_view v = found != nullptr ? std::string_view(*found) : std::string_view();
    const std::string_view lit(arena + m.value_at, m.value_len);
    bool ok = false;
    switch (m.kind) {
      case Test::equal: ok = v == lit; break;
      case Test::any_of: ok = any_of(v, lit); break;
      // `.` does not match a newline (RE2 without the s flag), so neither does `.*` here.
      case Test::prefix: ok = v.starts_with(lit) && no_newline(v.substr(lit.size())); break;
      case Test::suffix:
        ok = v.ends_with(lit) && no_newline(v.substr(0, v.size() - lit.size()));
        break;
      case Test::any: ok = no_newline(v); break;
      case Test::non_empty: ok = !v.empty() && no_newline(v); break;
      case Test::vm: ok = regexes_[m.value_at]->matches_value(v); break;
    }
    if (ok == m.negate) return false;
  }
  return true;
}

std::size_t RouteTable::route(const Alert& alert, std::vector<const Rule*>& out) const {
  out.clear();
  for (std::size_t i = 0; i < conds_.size(); ++i) {
    if (!matches(conds_[i], alert)) continue;
    out.push_back(rules_[i]);
    if (!conds_[i].continue_matching) break;
  }
  if (out.empty() && default_rule_ != nullptr) out.push_back(default_rule_);
  return out.size();
}

}  // namespace alertgate
