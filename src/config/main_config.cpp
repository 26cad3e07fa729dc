// Loading alertgate.yaml. The loader walks the option table (main_config_options.cpp, the
// one place where every option is declared with its type, default, bounds and
// description), so a key missing from it is an unknown key.
#include "alertgate/main_config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string>
#include <system_error>
#include <utility>

#include "alertgate/tenant_policy.hpp"
#include "alertgate/yaml_reader.hpp"
#include "main_config_options.hpp"

namespace alertgate {

namespace {

using config_detail::option_specs;
using config_detail::Spec;
using config_detail::Value;

constexpr std::array<std::string_view, 4> kLogLevels = {"debug", "info", "warn", "error"};

std::string_view parent_of(std::string_view key) {
  const auto dot = key.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : key.substr(0, dot);
}
std::string_view leaf_of(std::string_view key) {
  const auto dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

std::string quoted(std::string_view key) { return "\"" + std::string(key) + "\": "; }

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// The host part of `scheme://[user@]host[:port]...` when `url` starts with one of
// `schemes` (any case); "" otherwise.
std::string_view url_host(std::string_view url, std::initializer_list<std::string_view> schemes) {
  for (std::string_view scheme : schemes) {
    if (url.size() < scheme.size()) continue;
    const bool same = std::equal(scheme.begin(), scheme.end(), url.begin(), [](char a, char b) {
      return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
    });
    if (!same) continue;
    std::string_view rest = url.substr(scheme.size());
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
    return rest.empty() || rest[0] == ':' ? std::string_view{} : rest;
  }
  return {};
}

// What is wrong with the value of a string option ("" = nothing); never echoes a secret.
std::string check_string(std::string_view key, std::string_view v) {
  if (v.empty()) return key == "smtp.from" ? "must not be empty" : "";
  if (v.find(' ') != std::string_view::npos && (key == "external_url" || key == "smtp.url")) {
    return "a URL has no spaces";
  }
  if (key == "external_url" && url_host(v, {"http://", "https://"}).empty()) {
    return "expected an http:// or https:// URL with a host, got " + quote_for_message(v);
  }
  // May hold user:password: not echoed.
  if (key == "smtp.url" && url_host(v, {"smtp://", "smtps://"}).empty()) {
    return "expected smtp://host[:port] or smtps://host[:port]";
  }
  if (key == "smtp.from" && v.find('@') == std::string_view::npos) {
    return "expected an email address (name@domain or Name <name@domain>), got " +
           quote_for_message(v);
  }
  return "";
}

// Reads the value of one option into `out`; false (with an error) when it is wrong.
bool read_value(YamlReader& reader, const YamlMap& map, const MainConfigOption& o, Value& out) {
  const std::string_view key = leaf_of(o.key);
  const YamlMap::Entry& entry = *map.find(key);
  const YAML::Mark where = entry.value.IsNull() ? entry.key_mark : entry.value.Mark();
  switch (o.type) {
    case OptionType::listen: {
      auto items = reader.get_string_list(map, key, true);
      if (!items) return false;
      if (items->empty()) {
        reader.error(where, quoted(key) + "needs at least one address");
        return false;
      }
      if (items->size() > 64) {
        reader.error(where, quoted(key) + "more than 64 addresses");
        return false;
      }
      bool ok = true;
      for (const YamlString& item : *items) {
        auto addr = parse_listen_address(item.text);
        if (!addr) {
          reader.error(item.mark, quoted(key) + addr.error().message);
          ok = false;
          continue;
        }
        const bool dup = std::any_of(out.listen.begin(), out.listen.end(), [&](const auto& a) {
          return a.host == addr->host && a.port == addr->port && a.port != 0;
        });
        if (dup) {
          reader.error(item.mark,
                       quoted(key) + "duplicate address " + quote_for_message(item.text));
          ok = false;
          continue;
        }
        out.listen.push_back(std::move(addr.value()));
      }
      return ok;
    }
    case OptionType::threads: {
      if (entry.value.IsScalar() && entry.value.Scalar() == "auto") {
        out.number = 0;
        return true;
      }
      auto n = reader.get_int(map, key, true, {o.min, o.max});
      if (!n) return false;
      out.number = *n;
      return true;
    }
    case OptionType::path: {
      auto s = reader.get_string(map, key, true);
      if (!s) return false;
      out.path = s->text;
      return true;
    }
    case OptionType::log_level: {
      auto s = reader.get_string(map, key, true);
      if (!s) return false;
      const auto it = std::find(kLogLevels.begin(), kLogLevels.end(), s->text);
      if (it == kLogLevels.end()) {
        reader.error(s->mark, quoted(key) + "unknown log level " + quote_for_message(s->text) +
                                  " (use debug, info, warn or error)" +
                                  did_you_mean(s->text, {kLogLevels.begin(), kLogLevels.end()}));
        return false;
      }
      out.level = static_cast<LogLevel>(it - kLogLevels.begin());
      return true;
    }
    case OptionType::durability: {
      auto s = reader.get_string(map, key, true);
      if (!s) return false;
      if (s->text == "memory") {
        out.durability = Durability::memory;
        return true;
      }
      if (s->text == "wal") {
        out.durability = Durability::wal;
        return true;
      }
      if (s->text == "kafka") {
        out.durability = Durability::kafka;
        return true;
      }
      reader.error(s->mark, quoted(key) + "unknown durability " + quote_for_message(s->text) +
                                " (use wal, memory or kafka)" +
                                did_you_mean(s->text, {"memory", "wal", "kafka"}));
      return false;
    }
    case OptionType::mode: {
      auto s = reader.get_string(map, key, true);
      if (!s) return false;
      if (s->text == "standalone" || s->text == "ingest" || s->text == "router") {
        out.mode = s->text == "ingest"   ? Mode::ingest
                   : s->text == "router" ? Mode::router
                                         : Mode::standalone;
        return true;
      }
      reader.error(s->mark, quoted(key) + "unknown mode " + quote_for_message(s->text) +
                                " (use standalone, ingest or router)" +
                                did_you_mean(s->text, {"standalone", "ingest", "router"}));
      return false;
    }
    case OptionType::duration: {
      auto ms = reader.get_duration_ms(map, key, true, {o.min, o.max});
      if (!ms) return false;
      out.number = *ms;
      return true;
    }
    case OptionType::byte_size: {
      auto bytes = reader.get_byte_size(map, key, true, {o.min, o.max});
      if (!bytes) return false;
      out.number = *bytes;
      return true;
    }
    case OptionType::count: {
      auto n = reader.get_int(map, key, true, {o.min, o.max});
      if (!n) return false;
      out.number = *n;
      return true;
    }
    case OptionType::token: {
      if (entry.value.IsScalar() && entry.value.Scalar().empty()) {
        out.text.clear();  // "" = no admin token
        return true;
      }
      auto s = reader.get_string(map, key, true);
      if (!s) return false;
      if (!s->text.empty() && !parse_token_digest(s->text)) {
        reader.error(s->mark, quoted(key) +
                                  "expected \"sha256:\" and 64 hex digits (the SHA-256 of the "
                                  "token, never the token itself)");
        return false;
      }
      out.text = s->text;
      return true;
    }
    case OptionType::string:
    case OptionType::secret: {
      if (!entry.value.IsScalar()) {
        reader.error(where, quoted(key) + "expected a string, got " +
                                std::string(describe_node(entry.value)));
        return false;
      }
      const std::string& text = entry.value.Scalar();
      // Control characters would end up in mail headers or URLs; refuse them outright.
      if (has_control(text)) {
        reader.error(where, quoted(key) + "must not contain control characters");
        return false;
      }
      if (std::string problem = check_string(o.key, text); !problem.empty()) {
        reader.error(where, quoted(key) + problem);
        return false;
      }
      out.text = text;
      return true;
    }
    case OptionType::boolean: {
      auto b = reader.get_bool(map, key, true);
      if (!b) return false;
      out.number = *b ? 1 : 0;
      return true;
    }
    case OptionType::string_map: {
      auto m = reader.map(entry.value, quoted(key), entry.key_mark);
      if (!m) return false;
      bool ok = true;
      for (const YamlMap::Entry& e : m->entries()) {
        if (!e.value.IsScalar() || has_control(e.value.Scalar()) || has_control(e.key)) {
          reader.error(e.value.IsNull() ? e.key_mark : e.value.Mark(),
                       alertgate::quoted(std::string(o.key) + "." + e.key) +
                           "expected a scalar value without control characters");
          ok = false;
          continue;
        }
        out.map.emplace(e.key, e.value.Scalar());
      }
      return ok;
    }
    case OptionType::section: break;
  }
  return false;
}

// Loads the options whose parent is `section` ("" = top level) from `map`.
void load_section(YamlReader& reader, const YamlMap& map, std::string_view section,
                  MainConfig& config) {
  std::vector<std::string_view> allowed;
  for (const Spec& s : option_specs()) {
    if (parent_of(s.info.key) == section) allowed.push_back(leaf_of(s.info.key));
  }
  reader.check_keys(map, allowed);
  for (const Spec& s : option_specs()) {
    if (parent_of(s.info.key) != section) continue;
    const YamlMap::Entry* entry = map.find(leaf_of(s.info.key));
    if (entry == nullptr) continue;
    if (s.info.type == OptionType::section) {
      const std::string what = "\"" + std::string(s.info.key) + "\"";
      if (auto sub = reader.map(entry->value, what, entry->key_mark)) {
        load_section(reader, *sub, s.info.key, config);
      }
      continue;
    }
    Value value;
    if (read_value(reader, map, s.info, value)) s.apply(config, value);
  }
}

std::filesystem::path base_directory(const std::string& file) {
  std::error_code ec;
  std::filesystem::path base =
      file.empty() ? std::filesystem::path() : std::filesystem::path(file).parent_path();
  if (base.is_absolute()) return base;
  const std::filesystem::path cwd = std::filesystem::current_path(ec);
  return ec ? base : cwd / base;
}

std::filesystem::path resolve(const std::filesystem::path& base, const std::filesystem::path& p) {
  return (p.is_absolute() ? p : base / p).lexically_normal();
}

Result<MainConfig, ConfigErrors> load(YamlReader& reader, std::string_view text) {
  MainConfig config;
  config.file = reader.file();
  try {
    auto doc = reader.parse(text);
    if (!doc) return unexpected(reader.take_errors());
    if (!doc->IsNull()) {  // an empty file means "all defaults"
      if (auto root = reader.map(*doc, "config", YAML::Mark{}))
        load_section(reader, *root, "", config);
    }
  } catch (const std::exception& e) {
    reader.file_error(std::string("cannot load: ") + e.what());
  } catch (...) {
    reader.file_error("cannot load: unknown error");
  }
  if (!reader.ok()) return unexpected(reader.take_errors());
  const std::filesystem::path base = base_directory(config.file);
  config.tenants_dir = resolve(base, config.tenants_dir);
  config.data_dir = resolve(base, config.data_dir);
  if (config.mode == Mode::router) {
    if (config.kafka.brokers.empty()) reader.file_error("mode: router needs kafka.brokers");
    if (config.durability != Durability::kafka) {
      reader.file_error(
          "mode: router keeps its records in Kafka (offsets committed after delivery): set "
          "durability: kafka");
    }
    if (config.kafka.group_id.empty()) reader.file_error("kafka.group_id must not be empty");
    if (config.kafka.topic_regex.empty() || config.kafka.topic_regex[0] != '^') {
      reader.file_error("kafka.topic_regex must be a regex starting with ^");
    }
    if (!reader.ok()) return unexpected(reader.take_errors());
  } else if (config.mode == Mode::ingest) {
    // Every durability works: kafka answers once the broker has the alert, wal once the log
    // has it (it is kept until the broker's report), memory once it is produced.
    if (config.kafka.brokers.empty()) reader.file_error("mode: ingest needs kafka.brokers");
    if (!reader.ok()) return unexpected(reader.take_errors());
  } else if (config.durability == Durability::kafka) {
    reader.file_error(
        "durability: kafka needs mode: ingest or router (standalone delivers itself: wal)");
    return unexpected(reader.take_errors());
  }
  if (config.kafka.topic_pattern.find("{tenant_id}") == std::string::npos) {
    reader.file_error("kafka.topic_pattern must contain {tenant_id}: each tenant has its topic");
    return unexpected(reader.take_errors());
  }
  if (config.tenants_dir == config.data_dir) {
    reader.file_error("tenants_dir and data_dir must be different directories");
    return unexpected(reader.take_errors());
  }
  return config;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<MainConfig, ConfigErrors> load_main_config(std::string_view text, const std::string& file) {
  YamlReader reader(file);
  return load(reader, text);
}

Result<MainConfig, ConfigErrors> load_main_config_file(const std::filesystem::path& path) {
  YamlReader reader(path.string());
  auto text = reader.read_file(path);
  if (!text) return unexpected(reader.take_errors());
  return load(reader, *text);
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const std::string shown = quote_for_message(text);
  ListenAddress out;
  std::string_view port;
  if (!text.empty() && text[0] == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return unexpected(Error{"missing ']' in " + shown + " (e.g. [::1]:9095)"});
    }
    out.host = std::string(text.substr(1, close - 1));
    in6_addr addr6{};
    if (inet_pton(AF_INET6, out.host.c_str(), &addr6) != 1) {
      return unexpected(Error{"invalid IPv6 address in " + shown});
    }
    if (close + 1 == text.size()) {
      return unexpected(Error{"missing port in " + shown + " (e.g. [::1]:9095)"});
    }
    if (text[close + 1] != ':') return unexpected(Error{"expected ':' after ']' in " + shown});
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return unexpected(Error{"missing port in " + shown + " (host:port, e.g. 127.0.0.1:9095)"});
    }
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
    if (out.host.empty()) {
      return unexpected(
          Error{"missing host in " + shown + " (0.0.0.0 or [::] listens on every interface)"});
    }
    if (out.host.find(':') != std::string::npos) {
      return unexpected(Error{"IPv6 addresses need brackets: " + shown + " (e.g. [::1]:9095)"});
    }
    in_addr addr4{};
    if (out.host != "localhost" && inet_pton(AF_INET, out.host.c_str(), &addr4) != 1) {
      return unexpected(Error{"host " + quote_for_message(out.host) +
                              " must be an IP address or localhost (no DNS at start-up)"});
    }
  }
  if (!all_digits(port)) {
    return unexpected(Error{port.empty() ? "missing port in " + shown
                                         : "invalid port " + quote_for_message(port)});
  }
  if (port.size() > 5 || std::stoul(std::string(port)) > 65535) {
    return unexpected(
        Error{"port " + std::string(port.substr(0, 12)) + " is out of range 0..65535"});
  }
  out.port = static_cast<std::uint16_t>(std::stoul(std::string(port)));
  return out;
}

std::string_view to_string(LogLevel level) {
  const auto i = static_cast<std::size_t>(level);
  return i < kLogLevels.size() ? kLogLevels[i] : "info";
}

std::string_view to_string(Durability durability) {
  switch (durability) {
    case Durability::wal: return "wal";
    case Durability::kafka: return "kafka";
    case Durability::memory: break;
  }
  return "memory";
}

std::string_view to_string(Mode mode) {
  switch (mode) {
    case Mode::ingest: return "ingest";
    case Mode::router: return "router";
    case Mode::standalone: break;
  }
  return "standalone";
}

std::string effective_external_url(const MainConfig& config) {
  if (!config.external_url.empty()) return config.external_url;
  if (config.listen.empty()) return "http://localhost";
  const ListenAddress& a = config.listen.front();
  const bool v6 = a.host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

std::span<const MainConfigOption> main_config_options() {
  static const std::vector<MainConfigOption> options = [] {
    std::vector<MainConfigOption> v;
    for (const Spec& s : option_specs()) v.push_back(s.info);
    return v;
  }();
  return options;
}

std::string_view to_string(OptionType type) {
  switch (type) {
    case OptionType::section: return "section";
    case OptionType::listen: return "listen address list";
    case OptionType::threads: return "auto or integer";
    case OptionType::path: return "path";
    case OptionType::log_level: return "log level";
    case OptionType::durability: return "durability mode";
    case OptionType::mode: return "mode";
    case OptionType::duration: return "duration";
    case OptionType::byte_size: return "byte size";
    case OptionType::count: return "integer";
    case OptionType::token: return "token hash";
    case OptionType::string: return "string";
    case OptionType::secret: return "secret string";
    case OptionType::boolean: return "boolean";
    case OptionType::string_map: return "map of strings";
  }
  return "value";
}

std::string describe_bounds(const MainConfigOption& o) {
  if (o.min == 0 && o.max == 0) return {};
  switch (o.type) {
    case OptionType::duration: return format_duration_ms(o.min) + ".." + format_duration_ms(o.max);
    case OptionType::byte_size: return format_byte_size(o.min) + ".." + format_byte_size(o.max);
    default: return std::to_string(o.min) + ".." + std::to_string(o.max);
  }
}

}  // namespace alertgate
