// Destination settings of tenant files: which keys each type takes, how their values are
// checked, and how a destination is shown without its secrets.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <xxhash.h>

#include "destination_parser.hpp"

namespace alertgate {

namespace {

enum class Check : std::uint8_t {
  url,      // http:// or https:// with a host; never echoed (URLs often embed tokens)
  secret,   // any non-empty text; never echoed
  email,    // one address
  chat_id,  // -1001234567 or @channel
  topic,    // Kafka topic name
  text,     // any non-empty text
};

struct Field {
  std::string_view key;
  bool required;
  Check check;
  std::string Destination::*member;
};

struct TypeSpec {
  DestinationType type;
  std::string_view name;
  std::vector<Field> fields;
};

const std::vector<TypeSpec>& type_specs() {
  // pagerduty's "exactly one of service_key / routing_key" is checked in parse_destination.
  static const std::vector<TypeSpec> specs = {
      {DestinationType::webhook, "webhook", {{"url", true, Check::url, &Destination::url}}},
      {DestinationType::slack, "slack", {{"webhook", true, Check::url, &Destination::webhook}}},
      {DestinationType::pagerduty,
       "pagerduty",
       {{"service_key", false, Check::secret, &Destination::service_key},
        {"routing_key", false, Check::secret, &Destination::routing_key},
        {"url", false, Check::url, &Destination::url}}},
      {DestinationType::opsgenie,
       "opsgenie",
       {{"api_key", true, Check::secret, &Destination::api_key},
        {"url", false, Check::url, &Destination::url}}},
      {DestinationType::telegram,
       "telegram",
       {{"bot_token", true, Check::secret, &Destination::bot_token},
        {"chat_id", true, Check::chat_id, &Destination::chat_id},
        {"api_url", false, Check::url, &Destination::api_url}}},
      {DestinationType::email, "email", {{"address", true, Check::email, &Destination::address}}},
      {DestinationType::kafka, "kafka", {{"topic", false, Check::topic, &Destination::topic}}},
      {DestinationType::log, "log", {{"path", false, Check::text, &Destination::path}}},
  };
  return specs;
}

// type_specs() is in enum order.
const TypeSpec& spec_of(DestinationType t) {
  const auto i = static_cast<std::size_t>(t);
  return type_specs()[i < type_specs().size() ? i : type_specs().size() - 1];
}

bool has_field(const TypeSpec& spec, std::string_view key) {
  return std::any_of(spec.fields.begin(), spec.fields.end(),
                     [&](const Field& f) { return f.key == key; });
}

bool is_space_or_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// "scheme://host[:port]" of an http(s) URL without its user info, or "" when `url` is not
// an http(s) URL with a host.
std::string_view url_origin_host(std::string_view url, std::string_view* scheme) {
  std::size_t start = 0;
  if (starts_with_ci(url, "https://")) {
    start = 8;
  } else if (starts_with_ci(url, "http://")) {
    start = 7;
  } else {
    return {};
  }
  if (scheme != nullptr) *scheme = url.substr(0, start);
  std::string_view rest = url.substr(start);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  return rest;
}

bool valid_url(std::string_view url) {
  if (std::any_of(url.begin(), url.end(), is_space_or_control)) return false;
  const std::string_view host = url_origin_host(url, nullptr);
  return !host.empty() && host[0] != ':';
}

bool valid_email(std::string_view a) {
  const auto at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == a.size()) return false;
  if (a.find('@', at + 1) != std::string_view::npos) return false;
  return std::none_of(a.begin(), a.end(), is_space_or_control);
}

bool valid_chat_id(std::string_view id) {
  if (id.size() > 1 && id[0] == '@') {
    return std::all_of(id.begin() + 1, id.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
  }
  if (!id.empty() && id[0] == '-') id.remove_prefix(1);
  return !id.empty() && id.size() <= 20 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_topic(std::string_view t) {
  return !t.empty() && t.size() <= 249 && t != "." && t != ".." &&
         std::all_of(t.begin(), t.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

// Checks one value; the message never contains a secret or URL.
bool check_value(YamlReader& reader, const Field& f, const YamlString& v) {
  if (v.text.empty()) {
    reader.error(v.mark, "\"" + std::string(f.key) + "\": must not be empty");
    return false;
  }
  std::string problem;
  switch (f.check) {
    case Check::url:
      if (!valid_url(v.text)) problem = "expected an http:// or https:// URL with a host";
      break;
    case Check::email:
      if (!valid_email(v.text)) {
        problem = "expected one email address (name@domain), got " + quote_for_message(v.text);
      }
      break;
    case Check::chat_id:
      if (!valid_chat_id(v.text)) {
        problem = "expected a numeric chat id or @channel, got " + quote_for_message(v.text);
      }
      break;
    case Check::topic:
      if (!valid_topic(v.text)) {
        problem = "invalid Kafka topic " + quote_for_message(v.text) +
                  " (letters, digits, '.', '_', '-'; at most 249)";
      }
      break;
    case Check::secret:
    case Check::text: break;
  }
  if (problem.empty()) return true;
  reader.error(v.mark, "\"" + std::string(f.key) + "\": " + problem);
  return false;
}

std::vector<std::string_view> type_names() {
  std::vector<std::string_view> names;
  for (const TypeSpec& s : type_specs()) names.push_back(s.name);
  return names;
}

// First `n` characters of a secret, n = min(4, size / 2), then "***".
std::string mask(std::string_view secret) {
  const std::size_t shown = std::min<std::size_t>(4, secret.size() / 2);
  return std::string(secret.substr(0, shown)) + "***";
}

}  // namespace

std::string_view to_string(DestinationType t) { return spec_of(t).name; }

std::optional<DestinationType> parse_destination_type(std::string_view text) {
  for (const TypeSpec& s : type_specs()) {
    if (s.name == text) return s.type;
  }
  return std::nullopt;
}

std::optional<Destination> parse_destination(YamlReader& reader, const YAML::Node& node,
                                             const YAML::Mark& where) {
  auto map = reader.map(node, "destination", where);
  if (!map) return std::nullopt;
  const std::size_t errors_before = reader.errors().size();
  Destination d;
  d.line = map->mark().line + 1;
  d.column = map->mark().column + 1;

  const TypeSpec* spec = nullptr;
  if (auto type = reader.get_string(*map, "type", true)) {
    if (auto t = parse_destination_type(type->text)) {
      spec = &spec_of(*t);
      d.type = *t;
    } else {
      reader.error(type->mark, "unknown destination type " + quote_for_message(type->text) +
                                   did_you_mean(type->text, type_names()));
    }
  }

  // Keys: those of this type; a key of another type gets a precise message.
  std::vector<std::string_view> known = {"type"};
  for (const TypeSpec& s : type_specs()) {
    if (spec != nullptr && &s != spec) continue;
    for (const Field& f : s.fields) {
      if (std::find(known.begin(), known.end(), f.key) == known.end()) known.push_back(f.key);
    }
  }
  const auto options = destination_option_keys(
      spec != nullptr ? std::optional<DestinationType>(spec->type) : std::nullopt);
  known.insert(known.end(), options.begin(), options.end());
  const auto all_options = destination_option_keys(std::nullopt);
  for (const YamlMap::Entry& e : map->entries()) {
    if (std::find(known.begin(), known.end(), e.key) != known.end()) continue;
    const bool other_type =
        std::any_of(type_specs().begin(), type_specs().end(),
                    [&](const TypeSpec& s) { return has_field(s, e.key); }) ||
        std::find(all_options.begin(), all_options.end(), e.key) != all_options.end();
    if (other_type) {
      reader.error(e.key_mark, "key " + quote_for_message(e.key) +
                                   " is not valid for destination type \"" +
                                   std::string(spec->name) + "\"");
    } else {
      reader.unknown_key(e, known);
    }
  }
  if (spec == nullptr) return std::nullopt;

  for (const Field& f : spec->fields) {
    auto value = reader.get_string(*map, f.key, f.required);
    if (value && check_value(reader, f, *value)) d.*(f.member) = std::move(value->text);
  }
  load_destination_options(reader, *map, d);
  if (d.type == DestinationType::pagerduty) {
    const bool service = map->contains("service_key");
    const bool routing = map->contains("routing_key");
    if (service && routing) {
      reader.error(map->find("routing_key")->key_mark,
                   "set either \"service_key\" or \"routing_key\", not both");
    } else if (!service && !routing) {
      reader.error(map->mark(), "missing required key \"routing_key\" (or \"service_key\")");
    }
  }
  if (reader.errors().size() != errors_before) return std::nullopt;
  return d;
}

std::string describe(const Destination& d) {
  std::string name(to_string(d.type));
  switch (d.type) {
    case DestinationType::webhook: {
      std::string_view scheme;
      const std::string_view host = url_origin_host(d.url, &scheme);
      if (host.empty()) return name + "(***)";
      return name + "(" + std::string(scheme) + std::string(host) + "/***)";
    }
    case DestinationType::slack: {
      // The last path segment of a Slack webhook is its secret; show only the host.
      const std::string_view host = url_origin_host(d.webhook, nullptr);
      return name + "(" + (host.empty() ? "…" : std::string(host) + "/…") + "/***)";
    }
    case DestinationType::pagerduty:
      return name + "(" + mask(d.service_key.empty() ? d.routing_key : d.service_key) + ")";
    case DestinationType::opsgenie: return name + "(" + mask(d.api_key) + ")";
    case DestinationType::telegram: return name + "(chat " + d.chat_id + ")";
    case DestinationType::email: return name + "(" + d.address + ")";
    case DestinationType::kafka:
      return name + "(" + (d.topic.empty() ? "alerts-<tenant_id>" : d.topic) + ")";
    case DestinationType::log: return name + "(" + (d.path.empty() ? "stdout" : d.path) + ")";
  }
  return name;
}

std::uint64_t destination_identity(const Destination& d) {
  // Length-prefixed fields, so ("ab","c") and ("a","bc") differ.
  std::string bytes;
  bytes.push_back(static_cast<char>(d.type));
  for (const std::string* f : {&d.url, &d.webhook, &d.service_key, &d.routing_key, &d.api_key,
                               &d.bot_token, &d.chat_id, &d.api_url, &d.address, &d.topic}) {
    const auto n = static_cast<std::uint32_t>(f->size());
    bytes.append(reinterpret_cast<const char*>(&n), sizeof n);
    bytes.append(*f);
  }
  return XXH3_64bits(bytes.data(), bytes.size());
}

void assign_destination_identities(TenantPolicy& policy) {
  auto assign = [](Destination& d) { d.identity = destination_identity(d); };
  auto assign_rule = [&](Rule& r) {
    for (Destination& d : r.destinations) assign(d);
    if (r.fallback) assign(*r.fallback);
  };
  for (Destination& d : policy.named_destinations) assign(d);
  for (Rule& r : policy.rules) assign_rule(r);
  if (policy.default_rule) assign_rule(*policy.default_rule);
}

}  // namespace alertgate
