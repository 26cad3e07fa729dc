// Loading one tenant file: the top level, tenant_id and tokens. The other parts have their
// own parsers (policy_parsers.hpp), destinations are in destination.cpp, the directory scan
// in tenants_dir.cpp.
#include "alertgate/tenant_policy.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include <xxhash.h>

#include "alertgate/yaml_reader.hpp"
#include "policy_parsers.hpp"

namespace alertgate {

namespace {

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

Result<TenantPolicy, ConfigErrors> load(YamlReader& reader, std::string_view text) {
  TenantPolicy policy;
  policy.file = reader.file();
  try {
    auto doc = reader.parse(text);
    if (!doc) return unexpected(reader.take_errors());
    const YAML::Mark top{};  // line 1, column 1: where an empty document is reported
    auto root = reader.map(*doc, "tenant file", top);
    if (!root) return unexpected(reader.take_errors());
    reader.check_keys(*root, {"tenant_id", "tokens", "limits", "enrich", "rating", "destinations",
                              "rules", "default", "inhibit"});
    if (auto id = reader.get_string(*root, "tenant_id", true)) {
      if (valid_tenant_id(id->text)) {
        policy.tenant_id = id->text;
      } else {
        reader.error(id->mark, "invalid tenant_id " + quote_for_message(id->text) +
                                   " (1-63 of a-z, 0-9, '-', '_'; first a letter or digit)");
      }
    }
    load_tokens(reader, *root, policy);
    load_limits(reader, *root, policy.limits);
    load_enrich(reader, *root, policy.enrich_labels);
    load_rating(reader, *root, policy.rating);
    NamedDestinations named = load_named_destinations(reader, *root);
    load_rules(reader, *root, named, policy);
    policy.named_destinations = std::move(named.valid);
    load_inhibit(reader, *root, policy.inhibit);
    if (reader.ok()) {
      assign_destination_identities(policy);
      assign_rule_keys(policy);
    }
    policy.content_hash = XXH3_64bits(text.data(), text.size());
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
