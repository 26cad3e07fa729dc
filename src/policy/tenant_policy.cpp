// Loading one tenant file: tenant_id, tokens, rules. Destinations are in destination.cpp,
// the directory scan in tenants_dir.cpp.
#include "alertgate/tenant_policy.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "alertgate/yaml_reader.hpp"
#include "destination_parser.hpp"

namespace alertgate {

namespace {

constexpr std::array<std::pair<std::string_view, Severity>, 4> kSeverities = {{
    {"critical", Severity::critical},
    {"error", Severity::error},
    {"warning", Severity::warning},
    {"info", Severity::info},
}};

constexpr std::size_t kMaxRules = 1000;
constexpr std::size_t kMaxDestinations = 1000;  // all rules together

std::string position(const YAML::Mark& m) {
  return std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

// What a message may show of a token entry: "sha256:ab12…" at most, never a plain token.
std::string token_preview(std::string_view entry) {
  constexpr std::string_view kPrefix = "sha256:";
  if (entry.substr(0, kPrefix.size()) != kPrefix) return {};
  std::string out = "\"sha256:";
  for (char c : entry.substr(kPrefix.size(), 4)) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    out += hex ? c : '?';
  }
  return out + "…\"";
}

void load_tokens(YamlReader& reader, const YamlMap& root, TenantPolicy& policy) {
  auto entries = reader.get_string_list(root, "tokens", false);
  if (!entries) return;
  std::vector<YAML::Mark> marks;
  for (const YamlString& entry : *entries) {
    auto digest = parse_token_digest(entry.text);
    if (!digest) {
      const std::string preview = token_preview(entry.text);
      reader.error(entry.mark, (preview.empty() ? "token" : "token " + preview) +
                                   ": expected \"sha256:\" and 64 hex digits (the SHA-256 of the "
                                   "token, never the token itself)");
      continue;
    }
    const auto same = std::find(policy.tokens.begin(), policy.tokens.end(), *digest);
    if (same != policy.tokens.end()) {
      reader.error(entry.mark,
                   "duplicate token " + token_preview(entry.text) + " (first at " +
                       position(marks[static_cast<std::size_t>(same - policy.tokens.begin())]) +
                       ")");
      continue;
    }
    policy.tokens.push_back(*digest);
    marks.push_back(entry.mark);
  }
}

std::vector<std::string_view> severity_names() {
  std::vector<std::string_view> names;
  names.reserve(kSeverities.size());
  for (const auto& s : kSeverities) names.push_back(s.first);
  return names;
}

void load_severities(YamlReader& reader, const YamlMap& rule_map, Rule& rule) {
  auto values = reader.get_string_list(rule_map, "severity", false);
  if (!values) return;
  if (values->empty()) {
    reader.error(rule_map.find("severity")->value.Mark(),
                 "\"severity\": empty list (omit the key to match any severity)");
    return;
  }
  for (const YamlString& v : *values) {
    const auto it = std::find_if(kSeverities.begin(), kSeverities.end(),
                                 [&](const auto& s) { return s.first == v.text; });
    if (it == kSeverities.end()) {
      reader.error(v.mark, "unknown severity " + quote_for_message(v.text) +
                               " (use critical, error, warning or info)" +
                               did_you_mean(v.text, severity_names()));
      continue;
    }
    if (std::find(rule.severities.begin(), rule.severities.end(), it->second) !=
        rule.severities.end()) {
      reader.error(v.mark, "duplicate severity " + quote_for_message(v.text));
      continue;
    }
    rule.severities.push_back(it->second);
  }
}

void load_rules(YamlReader& reader, const YamlMap& root, TenantPolicy& policy) {
  auto rules = reader.get_list(root, "rules", false);
  if (!rules) return;
  const YAML::Mark list_mark = root.find("rules")->value.Mark();
  if (rules->size() > kMaxRules) {
    reader.error(list_mark, "\"rules\": more than " + std::to_string(kMaxRules) + " rules");
    return;
  }
  std::size_t total_destinations = 0;
  for (const YAML::Node& node : *rules) {
    auto rule_map = reader.map(node, "rule", list_mark);
    if (!rule_map) continue;
    reader.check_keys(*rule_map, {"severity", "destinations"});
    Rule rule;
    rule.line = rule_map->mark().line + 1;
    rule.column = rule_map->mark().column + 1;
    load_severities(reader, *rule_map, rule);
    if (auto destinations = reader.get_list(*rule_map, "destinations", true)) {
      const YamlMap::Entry* entry = rule_map->find("destinations");
      if (destinations->empty()) {
        reader.error(entry->value.Mark(), "\"destinations\": needs at least one destination");
      }
      // YAML aliases can repeat one list many times over; bound what a file can expand to.
      total_destinations += destinations->size();
      if (total_destinations > kMaxDestinations) {
        reader.error(entry->value.Mark(), "more than " + std::to_string(kMaxDestinations) +
                                              " destinations in one tenant file");
        return;
      }
      for (const YAML::Node& d : *destinations) {
        if (auto dest = parse_destination(reader, d, entry->value.Mark())) {
          rule.destinations.push_back(std::move(*dest));
        }
      }
    }
    policy.rules.push_back(std::move(rule));
  }
}

Result<TenantPolicy, ConfigErrors> load(YamlReader& reader, std::string_view text) {
  TenantPolicy policy;
  policy.file = reader.file();
  try {
    auto doc = reader.parse(text);
    if (!doc) return unexpected(reader.take_errors());
    const YAML::Mark top{};  // line 1, column 1: where an empty document is reported
    auto root = reader.map(*doc, "tenant file", top);
    if (!root) return unexpected(reader.take_errors());
    reader.check_keys(*root, {"tenant_id", "tokens", "rules"});
    if (auto id = reader.get_string(*root, "tenant_id", true)) {
      if (valid_tenant_id(id->text)) {
        policy.tenant_id = id->text;
      } else {
        reader.error(id->mark, "invalid tenant_id " + quote_for_message(id->text) +
                                   " (1-63 of a-z, 0-9, '-', '_'; first a letter or digit)");
      }
    }
    load_tokens(reader, *root, policy);
    load_rules(reader, *root, policy);
  } catch (const std::exception& e) {
    // yaml-cpp node access can throw on inputs we did not foresee; never let it escape.
    reader.file_error(std::string("cannot load: ") + e.what());
  } catch (...) {
    reader.file_error("cannot load: unknown error");
  }
  if (!reader.ok()) return unexpected(reader.take_errors());
  return policy;
}

}  // namespace

bool valid_tenant_id(std::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(id[0])) return false;
  return std::all_of(id.begin() + 1, id.end(),
                     [&](char c) { return lower_or_digit(c) || c == '-' || c == '_'; });
}

Result<TenantPolicy, ConfigErrors> load_tenant_policy(std::string_view text,
                                                      const std::string& file) {
  YamlReader reader(file);
  return load(reader, text);
}

Result<TenantPolicy, ConfigErrors> load_tenant_policy_file(const std::filesystem::path& path) {
  YamlReader reader(path.string());
  auto text = reader.read_file(path);
  if (!text) return unexpected(reader.take_errors());
  return load(reader, *text);
}

}  // namespace alertgate
