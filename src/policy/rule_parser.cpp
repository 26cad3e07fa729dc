// `destinations:` (named), `rules:` and `default:` of a tenant file.
#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "destination_parser.hpp"
#include "policy_parsers.hpp"

namespace alertgate {

namespace {

constexpr std::array<std::pair<std::string_view, Severity>, 4> kSeverities = {{
    {"critical", Severity::critical},
    {"error", Severity::error},
    {"warning", Severity::warning},
    {"info", Severity::info},
}};

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr IntBounds kGroupWaitMs{0, kHourMs};
constexpr IntBounds kGroupIntervalMs{1000, 24 * kHourMs};
constexpr IntBounds kRepeatIntervalMs{kMinuteMs, 30 * 24 * kHourMs};
constexpr IntBounds kRating{0, 100};

// Keys a rule takes; the default rule takes the ones marked.
struct RuleKey {
  std::string_view name;
  bool in_default;
};
constexpr std::array<RuleKey, 12> kRuleKeys = {{
    {"severity", false},
    {"match", false},
    {"min_rating", false},
    {"max_rating", false},
    {"continue", false},
    {"group_by", true},
    {"group_wait", true},
    {"group_interval", true},
    {"repeat_interval", true},
    {"mute_when", true},
    {"destinations", true},
    {"fallback", true},
}};

// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}`: names are shown in logs and metrics labels.
bool valid_destination_name(std::string_view n) {
  auto ok = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (!first && (c == '.' || c == '-'));
  };
  if (n.empty() || n.size() > 64 || !ok(n[0], true)) return false;
  return std::all_of(n.begin() + 1, n.end(), [&](char c) { return ok(c, false); });
}

class RuleParser {
 public:
  RuleParser(YamlReader& reader, const NamedDestinations& named) : reader_(reader), named_(named) {}

  std::optional<Rule> parse(const YAML::Node& node, const YAML::Mark& where, bool is_default) {
    auto map = reader_.map(node, is_default ? "\"default\"" : "rule", where);
    if (!map) return std::nullopt;
    const std::size_t errors_before = reader_.errors().size();
    check_keys(*map, is_default);
    Rule rule;
    rule.line = map->mark().line + 1;
    rule.column = map->mark().column + 1;
    if (!is_default) {
      load_severities(*map, rule);
      if (const YamlMap::Entry* e = map->find("match")) {
        if (auto m = parse_matcher_list(reader_, *e)) rule.match = std::move(*m);
      }
      load_rating_bounds(*map, rule);
      if (auto c = reader_.get_bool(*map, "continue", false)) rule.continue_matching = *c;
    }
    load_grouping(*map, rule.grouping);
    if (const YamlMap::Entry* e = map->find("mute_when")) {
      if (auto m = parse_mute_when(reader_, *e)) rule.mute_when = std::move(*m);
    }
    load_destinations(*map, rule);
    load_fallback(*map, rule);
    if (reader_.errors().size() != errors_before) return std::nullopt;
    return rule;
  }

  bool too_many_destinations() const { return total_destinations_ > kMaxDestinations; }

 private:
  void check_keys(const YamlMap& map, bool is_default) {
    std::vector<std::string_view> allowed;
    for (const RuleKey& k : kRuleKeys) {
      if (!is_default || k.in_default) allowed.push_back(k.name);
    }
    for (const YamlMap::Entry& e : map.entries()) {
      if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) continue;
      const bool rule_only = std::any_of(kRuleKeys.begin(), kRuleKeys.end(),
                                         [&](const RuleKey& k) { return k.name == e.key; });
      if (rule_only) {
        reader_.error(e.key_mark, "key " + quote_for_message(e.key) +
                                      " is not allowed in \"default\": the default rule takes "
                                      "every alert that no rule matched");
      } else {
        reader_.unknown_key(e, allowed);
      }
    }
  }

  void load_severities(const YamlMap& map, Rule& rule) {
    auto values = reader_.get_string_list(map, "severity", false);
    if (!values) return;
    if (values->empty()) {
      reader_.error(map.find("severity")->value.Mark(),
                    "\"severity\": empty list (omit the key to match any severity)");
      return;
    }
    std::vector<std::string_view> names;
    for (const auto& s : kSeverities) names.push_back(s.first);
    for (const YamlString& v : *values) {
      const auto it = std::find_if(kSeverities.begin(), kSeverities.end(),
                                   [&](const auto& s) { return s.first == v.text; });
      if (it == kSeverities.end()) {
        reader_.error(v.mark, "unknown severity " + quote_for_message(v.text) +
                                  " (use critical, error, warning or info)" +
                                  did_you_mean(v.text, names));
        continue;
      }
      if (std::find(rule.severities.begin(), rule.severities.end(), it->second) !=
          rule.severities.end()) {
        reader_.error(v.mark, "duplicate severity " + quote_for_message(v.text));
        continue;
      }
      rule.severities.push_back(it->second);
    }
  }

  void load_rating_bounds(const YamlMap& map, Rule& rule) {
    const auto min = reader_.get_int(map, "min_rating", false, kRating);
    const auto max = reader_.get_int(map, "max_rating", false, kRating);
    if (min) rule.min_rating = static_cast<int>(*min);
    if (max) rule.max_rating = static_cast<int>(*max);
    if (min && max && *min > *max) {
      reader_.error(map.find("max_rating")->value.Mark(),
                    "\"max_rating\": " + std::to_string(*max) + " is less than \"min_rating\" " +
                        std::to_string(*min));
    }
  }

  void load_grouping(const YamlMap& map, Grouping& g) {
    if (const YamlMap::Entry* e = map.find("group_by")) {
      bool by_all = false;
      if (auto by = parse_label_names(reader_, *e, &by_all)) {
        g.by = std::move(*by);
        g.by_all = by_all;
      }
      g.enabled = true;
    } else {
      // Ungrouped: each alert is its own group, notified at once.
      g.group_wait = std::chrono::milliseconds(0);
      g.group_interval = std::chrono::milliseconds(0);
      for (std::string_view key : {"group_wait", "group_interval"}) {
        if (const YamlMap::Entry* k = map.find(key)) {
          reader_.error(k->key_mark, std::string(key) +
                                         " needs group_by (without group_by each alert is "
                                         "notified on its own, at once)");
        }
      }
    }
    if (g.enabled) {
      if (auto v = reader_.get_duration_ms(map, "group_wait", false, kGroupWaitMs)) {
        g.group_wait = std::chrono::milliseconds(*v);
      }
      if (auto v = reader_.get_duration_ms(map, "group_interval", false, kGroupIntervalMs)) {
        g.group_interval = std::chrono::milliseconds(*v);
      }
    }
    if (auto v = reader_.get_duration_ms(map, "repeat_interval", false, kRepeatIntervalMs)) {
      g.repeat_interval = std::chrono::milliseconds(*v);
    }
  }

  void load_destinations(const YamlMap& map, Rule& rule) {
    auto list = reader_.get_list(map, "destinations", true);
    if (!list) return;
    const YamlMap::Entry* entry = map.find("destinations");
    if (list->empty()) {
      reader_.error(entry->value.Mark(), "\"destinations\": needs at least one destination");
      return;
    }
    // YAML aliases can repeat one list many times over; bound what a file can expand to.
    total_destinations_ += list->size();
    if (too_many_destinations()) {
      reader_.error(entry->value.Mark(), "more than " + std::to_string(kMaxDestinations) +
                                             " destinations in one tenant file");
      return;
    }
    std::vector<std::string> referenced;
    for (const YAML::Node& d : *list) {
      if (d.IsScalar() && describe_node(d) == "a string") {
        resolve(YamlString{d.Scalar(), d.Mark()}, rule, referenced);
      } else if (d.IsScalar()) {
        reader_.error(d.Mark(),
                      "destination: expected a map or the name of a tenant-level "
                      "destination, got " +
                          std::string(describe_node(d)));
      } else if (auto dest = parse_destination(reader_, d, entry->value.Mark())) {
        rule.destinations.push_back(std::move(*dest));
      }
    }
  }

  // `fallback: <name>`: only a named destination (a breaker belongs to one definition).
  void load_fallback(const YamlMap& map, Rule& rule) {
    const YamlMap::Entry* e = map.find("fallback");
    if (e == nullptr) return;
    if (!e->value.IsScalar() || describe_node(e->value) != "a string") {
      reader_.error(value_mark(*e),
                    "\"fallback\": expected the name of a tenant-level destination, got " +
                        std::string(describe_node(e->value)));
      return;
    }
    const YamlString ref{e->value.Scalar(), e->value.Mark()};
    const auto it = std::find_if(named_.valid.begin(), named_.valid.end(),
                                 [&](const Destination& d) { return d.name == ref.text; });
    if (it != named_.valid.end()) {
      const bool own = std::any_of(rule.destinations.begin(), rule.destinations.end(),
                                   [&](const Destination& d) { return d.name == ref.text; });
      if (own) {
        reader_.error(ref.mark, "\"fallback\": " + quote_for_message(ref.text) +
                                    " is one of this rule's destinations (the fallback is "
                                    "used while they fail)");
        return;
      }
      ++total_destinations_;
      rule.fallback = *it;
      return;
    }
    if (std::find(named_.all_names.begin(), named_.all_names.end(), ref.text) !=
        named_.all_names.end()) {
      return;  // its definition's errors were reported
    }
    std::vector<std::string_view> names(named_.all_names.begin(), named_.all_names.end());
    reader_.error(ref.mark, "\"fallback\": unknown destination " + quote_for_message(ref.text) +
                                (names.empty() ? std::string(" (no tenant-level \"destinations\")")
                                               : did_you_mean(ref.text, names)));
  }

  void resolve(const YamlString& ref, Rule& rule, std::vector<std::string>& referenced) {
    if (std::find(referenced.begin(), referenced.end(), ref.text) != referenced.end()) {
      reader_.error(ref.mark, "duplicate destination " + quote_for_message(ref.text));
      return;
    }
    referenced.push_back(ref.text);
    const auto it = std::find_if(named_.valid.begin(), named_.valid.end(),
                                 [&](const Destination& d) { return d.name == ref.text; });
    if (it != named_.valid.end()) {
      rule.destinations.push_back(*it);
      return;
    }
    // A definition with errors was reported already; do not report its uses too.
    if (std::find(named_.all_names.begin(), named_.all_names.end(), ref.text) !=
        named_.all_names.end()) {
      return;
    }
    std::vector<std::string_view> names(named_.all_names.begin(), named_.all_names.end());
    reader_.error(ref.mark, "unknown destination " + quote_for_message(ref.text) +
                                (names.empty() ? std::string(" (no tenant-level \"destinations\")")
                                               : did_you_mean(ref.text, names)));
  }

  YamlReader& reader_;
  const NamedDestinations& named_;
  std::size_t total_destinations_ = 0;
};

}  // namespace

NamedDestinations load_named_destinations(YamlReader& reader, const YamlMap& root) {
  NamedDestinations out;
  const YamlMap::Entry* entry = root.find("destinations");
  if (entry == nullptr) return out;
  auto map = reader.map(entry->value, "\"destinations\"", entry->key_mark);
  if (!map) return out;
  if (map->entries().size() > kMaxDestinations) {
    reader.error(map->mark(), "\"destinations\": more than " + std::to_string(kMaxDestinations) +
                                  " destinations");
    return out;
  }
  for (const YamlMap::Entry& e : map->entries()) {
    if (!valid_destination_name(e.key)) {
      reader.error(e.key_mark, "invalid destination name " + quote_for_message(e.key) +
                                   " (1-64 of A-Z, a-z, 0-9, '_', '.', '-'; first not '.' or '-')");
      continue;
    }
    out.all_names.push_back(e.key);
    if (auto d = parse_destination(reader, e.value, e.key_mark)) {
      d->name = e.key;
      out.valid.push_back(std::move(*d));
    }
  }
  return out;
}

void load_rules(YamlReader& reader, const YamlMap& root, const NamedDestinations& named,
                TenantPolicy& policy) {
  RuleParser parser(reader, named);
  if (auto rules = reader.get_list(root, "rules", false)) {
    const YAML::Mark list_mark = root.find("rules")->value.Mark();
    if (rules->size() > kMaxRules) {
      reader.error(list_mark, "\"rules\": more than " + std::to_string(kMaxRules) + " rules");
      return;
    }
    for (const YAML::Node& node : *rules) {
      if (auto rule = parser.parse(node, list_mark, false))
        policy.rules.push_back(std::move(*rule));
      if (parser.too_many_destinations()) return;
    }
  }
  if (const YamlMap::Entry* e = root.find("default")) {
    policy.default_rule = parser.parse(e->value, e->key_mark, true);
  }
}

}  // namespace alertgate
