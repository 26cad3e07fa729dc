// `<matchers>` values of tenant files (rule `match`, boost `match`, inhibit
// `source_match`/`target_match`) and lists of label names.
#include <algorithm>
#include <string>
#include <utility>

#include "policy_parsers.hpp"

namespace alertgate {

namespace {

constexpr std::size_t kMaxMatchers = 64;  // per list: more is a mistake, not a policy

std::string context(std::string_view key) { return "\"" + std::string(key) + "\": "; }

// parse_matcher's message counts columns inside the string; we report at the string's own
// position and quote the text so the column can be found.
void matcher_error(YamlReader& reader, const YamlString& s, const std::string& message) {
  reader.error(s.mark, "matcher " + quote_for_message(s.text) + ": " + message);
}

}  // namespace

bool valid_label_name(std::string_view n) {
  auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (n.empty() || !start(n[0])) return false;
  return std::all_of(n.begin(), n.end(),
                     [&](char c) { return start(c) || (c >= '0' && c <= '9'); });
}

std::string position(const YAML::Mark& m) {
  return std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

YAML::Mark value_mark(const YamlMap::Entry& e) {
  return e.value.IsNull() ? e.key_mark : e.value.Mark();
}

std::optional<std::vector<Matcher>> parse_matcher_list(YamlReader& reader,
                                                       const YamlMap::Entry& entry) {
  const std::size_t errors_before = reader.errors().size();
  std::vector<Matcher> out;
  const YAML::Node& v = entry.value;
  if (v.IsScalar()) {
    const YamlString s{v.Scalar(), v.Mark()};
    auto parsed = parse_matchers(s.text);
    if (parsed) {
      out = std::move(*parsed);
    } else {
      matcher_error(reader, s, parsed.error());
    }
  } else if (v.IsSequence()) {
    for (const YAML::Node& item : v) {
      auto s = reader.as_string(item, v.Mark());
      if (!s) continue;
      auto parsed = parse_matcher(s->text);
      if (parsed) {
        out.push_back(std::move(*parsed));
      } else {
        matcher_error(reader, *s, parsed.error());
      }
    }
  } else if (v.IsMap()) {
    auto map = reader.map(v, "");
    if (map) {
      for (const YamlMap::Entry& e : map->entries()) {
        if (!e.value.IsScalar()) {
          reader.error(value_mark(e), context(e.key) + "expected a label value, got " +
                                          std::string(describe_node(e.value)));
          continue;
        }
        auto m = make_matcher(e.key, MatchOp::equal, e.value.Scalar());
        if (m) {
          out.push_back(std::move(*m));
        } else {
          reader.error(e.key_mark, m.error());
        }
      }
    }
  } else {
    reader.error(value_mark(entry), context(entry.key) +
                                        "expected matchers (a list of strings, a string or a "
                                        "map), got " +
                                        std::string(describe_node(v)));
  }
  if (reader.errors().size() != errors_before) return std::nullopt;
  if (out.size() > kMaxMatchers) {
    reader.error(value_mark(entry),
                 context(entry.key) + "more than " + std::to_string(kMaxMatchers) + " matchers");
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<std::string>> parse_label_names(YamlReader& reader,
                                                          const YamlMap::Entry& entry,
                                                          bool* by_all) {
  if (!entry.value.IsSequence()) {
    reader.error(value_mark(entry), context(entry.key) + "expected a list of label names, got " +
                                        std::string(describe_node(entry.value)));
    return std::nullopt;
  }
  const std::size_t errors_before = reader.errors().size();
  std::vector<std::string> out;
  std::vector<YAML::Mark> marks;
  std::optional<YAML::Mark> all_mark;
  for (const YAML::Node& item : entry.value) {
    auto s = reader.as_string(item, entry.value.Mark());
    if (!s) continue;
    if (by_all != nullptr && s->text == "...") {
      if (all_mark) {
        reader.error(s->mark, "duplicate \"...\" (first at " + position(*all_mark) + ")");
      }
      all_mark = s->mark;
      continue;
    }
    if (!valid_label_name(s->text)) {
      reader.error(s->mark, "invalid label name " + quote_for_message(s->text) +
                                " (want [a-zA-Z_][a-zA-Z0-9_]*)");
      continue;
    }
    const auto same = std::find(out.begin(), out.end(), s->text);
    if (same != out.end()) {
      reader.error(s->mark, "duplicate label " + quote_for_message(s->text) + " (first at " +
                                position(marks[static_cast<std::size_t>(same - out.begin())]) +
                                ")");
      continue;
    }
    out.push_back(s->text);
    marks.push_back(s->mark);
  }
  if (all_mark && !out.empty()) {
    reader.error(*all_mark, context(entry.key) +
                                "\"...\" (group by every label) cannot be combined with label "
                                "names");
  }
  if (reader.errors().size() != errors_before) return std::nullopt;
  if (by_all != nullptr) *by_all = all_mark.has_value();
  return out;
}

}  // namespace alertgate
