// Internal to the policy stage: the parsers of the parts of a tenant file. Each reports
// every problem to the YamlReader and fills what it could; the caller (tenant_policy.cpp)
// throws the result away when the reader holds any error. Control thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/tenant_policy.hpp"
#include "alertgate/yaml_reader.hpp"

namespace alertgate {

inline constexpr std::size_t kMaxRules = 1000;
inline constexpr std::size_t kMaxDestinations = 1000;  // all rules together, after resolving

// `[a-zA-Z_][a-zA-Z0-9_]*` (Prometheus label names).
bool valid_label_name(std::string_view name);

// "line:col" of a mark, 1-based.
std::string position(const YAML::Mark& m);

// The mark to report a problem with the value of `e` at (its key when the value is null).
YAML::Mark value_mark(const YamlMap::Entry& e);

// `<matchers>`: a list of matcher strings, one string (`{a="b", c!="d"}` or `a="b"`), or a
// map {label: value} meaning equality. Errors go to the string's (or key's) position.
// nullopt after an error.
std::optional<std::vector<Matcher>> parse_matcher_list(YamlReader& reader,
                                                       const YamlMap::Entry& entry);

// A list of label names (inhibit `equal`, rule `group_by`); duplicates are errors. With
// `by_all`, the list may instead be `["..."]` (then *by_all is set and the result empty).
std::optional<std::vector<std::string>> parse_label_names(YamlReader& reader,
                                                          const YamlMap::Entry& entry,
                                                          bool* by_all = nullptr);

// `123` or `0.5`: plain digits with an optional fraction. No exponent, sign, `.5` or
// `inf`: what YAML 1.1, YAML 1.2 and JSON all read as the same number (limits_parser.cpp).
std::optional<double> parse_plain_number(std::string_view s);

// `limits:` and `enrich:` of the tenant file.
void load_limits(YamlReader& reader, const YamlMap& root, TenantLimits& limits);
void load_enrich(YamlReader& reader, const YamlMap& root, LabelSet& labels);

// `rating:`.
void load_rating(YamlReader& reader, const YamlMap& root, RatingPolicy& rating);

// One `mute_when` list.
std::optional<std::vector<TimeInterval>> parse_mute_when(YamlReader& reader,
                                                         const YamlMap::Entry& entry);

// `inhibit:`.
void load_inhibit(YamlReader& reader, const YamlMap& root, std::vector<InhibitRule>& out);

// `destinations:` (tenant level), `rules:` and `default:`. The rules need the named
// destinations, so load_named_destinations runs first.
struct NamedDestinations {
  std::vector<Destination> valid;      // = TenantPolicy::named_destinations
  std::vector<std::string> all_names;  // also those whose definition had an error
};
NamedDestinations load_named_destinations(YamlReader& reader, const YamlMap& root);
void load_rules(YamlReader& reader, const YamlMap& root, const NamedDestinations& named,
                TenantPolicy& policy);

// Rule::key of every rule and the default rule (rule_key.cpp).
std::uint64_t rule_fingerprint(const Rule& rule);
void assign_rule_keys(TenantPolicy& policy);

}  // namespace alertgate
