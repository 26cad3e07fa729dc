// `inhibit:` of a tenant file (Alertmanager inhibit_rules with matchers).
#include <string>

#include "policy_parsers.hpp"

namespace alertgate {

namespace {

constexpr std::size_t kMaxInhibitRules = 1000;

// source_match / target_match: required and non-empty (an empty source would let almost
// any alert silence others, an empty target would silence almost everything).
std::optional<std::vector<Matcher>> required_matchers(YamlReader& reader, const YamlMap& map,
                                                      std::string_view key) {
  const YamlMap::Entry* e = map.find(key);
  if (e == nullptr) {
    reader.error(map.mark(), "missing required key " + quote_for_message(key));
    return std::nullopt;
  }
  auto matchers = parse_matcher_list(reader, *e);
  if (matchers && matchers->empty()) {
    reader.error(value_mark(*e), "\"" + std::string(key) + "\": needs at least one matcher");
    return std::nullopt;
  }
  return matchers;
}

}  // namespace

void load_inhibit(YamlReader& reader, const YamlMap& root, std::vector<InhibitRule>& out) {
  auto list = reader.get_list(root, "inhibit", false);
  if (!list) return;
  const YAML::Mark list_mark = root.find("inhibit")->value.Mark();
  if (list->size() > kMaxInhibitRules) {
    reader.error(list_mark,
                 "\"inhibit\": more than " + std::to_string(kMaxInhibitRules) + " rules");
    return;
  }
  for (const YAML::Node& node : *list) {
    auto map = reader.map(node, "inhibit rule", list_mark);
    if (!map) continue;
    reader.check_keys(*map, {"source_match", "target_match", "equal"});
    InhibitRule rule;
    rule.line = map->mark().line + 1;
    rule.column = map->mark().column + 1;
    auto source = required_matchers(reader, *map, "source_match");
    auto target = required_matchers(reader, *map, "target_match");
    std::optional<std::vector<std::string>> equal = std::vector<std::string>{};
    if (const YamlMap::Entry* e = map->find("equal")) equal = parse_label_names(reader, *e);
    if (!source || !target || !equal) continue;
    rule.source_match = std::move(*source);
    rule.target_match = std::move(*target);
    rule.equal = std::move(*equal);
    out.push_back(std::move(rule));
  }
}

}  // namespace alertgate
