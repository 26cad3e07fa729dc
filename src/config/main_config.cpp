// Loading alertgate.yaml. kOptions below is the one place where every option is declared
// with its type, default, bounds and description; the loader walks it, so a key missing
// from it is an unknown key.
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

namespace alertgate {

namespace {

constexpr std::int64_t KiB = 1024;
constexpr std::int64_t MiB = 1024 * KiB;
constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;

// What a parsed value is applied with; only the member of the option's type is set.
struct Value {
  std::int64_t number = 0;
  std::filesystem::path path;
  std::string text;
  std::vector<ListenAddress> listen;
  LogLevel level = LogLevel::info;
  Durability durability = Durability::wal;
  Mode mode = Mode::standalone;
  std::map<std::string, std::string, std::less<>> map;
};

struct Spec {
  MainConfigOption info;
  void (*apply)(MainConfig&, Value&);
};

// clang-format off
const Spec kOptions[] = {
  {{"listen", OptionType::listen, "127.0.0.1:9095", 0, 0,
    "Addresses to accept HTTP on (host:port, or a list); host is an IP literal or localhost, "
    "IPv6 in brackets ([::1]:9095); port 0 picks a free port."},
   [](MainConfig& c, Value& v) { c.listen = std::move(v.listen); }},
  {{"threads", OptionType::threads, "auto", 1, 256,
    "Reactor threads (= shards); auto = one per CPU core."},
   [](MainConfig& c, Value& v) { c.threads = static_cast<unsigned>(v.number); }},
  {{"tenants_dir", OptionType::path, "tenants", 0, 0,
    "Directory of tenant policy files (*.yaml, *.yml, *.json); relative to this file."},
   [](MainConfig& c, Value& v) { c.tenants_dir = std::move(v.path); }},
  {{"data_dir", OptionType::path, "data", 0, 0,
    "Directory of the write-ahead log and the dead-letter store; relative to this file."},
   [](MainConfig& c, Value& v) { c.data_dir = std::move(v.path); }},
  {{"log_level", OptionType::log_level, "info", 0, 0,
    "Least severe log level written: debug, info, warn or error."},
   [](MainConfig& c, Value& v) { c.log_level = v.level; }},
  {{"durability", OptionType::durability, "wal", 0, 0,
    "When 202 is answered: wal = once in the write-ahead log and fdatasync'd; memory = once "
    "queued; kafka (mode: ingest) = once the Kafka broker acknowledged it."},
   [](MainConfig& c, Value& v) { c.durability = v.durability; }},
  {{"mode", OptionType::mode, "standalone", 0, 0,
    "standalone = route and deliver here; ingest = write accepted alerts to Kafka topics; "
    "router = consume those topics in a consumer group, route and deliver."},
   [](MainConfig& c, Value& v) { c.mode = v.mode; }},
  {{"shutdown_timeout", OptionType::duration, "10s", kSecond, 10 * kMinute,
    "On SIGTERM, how long in-flight alerts may drain to their sinks before exit."},
   [](MainConfig& c, Value& v) { c.shutdown_timeout = std::chrono::milliseconds(v.number); }},
  {{"resolve_timeout", OptionType::duration, "5m", kSecond, 24 * kHour,
    "An alert without an end time counts as resolved after this long without an update."},
   [](MainConfig& c, Value& v) { c.resolve_timeout = std::chrono::milliseconds(v.number); }},
  {{"limits", OptionType::section, "", 0, 0, "Resource limits of the HTTP front end."},
   nullptr},
  {{"limits.max_body_bytes", OptionType::byte_size, "1MiB", KiB, 512 * MiB,
    "Largest request body accepted; larger requests get 413."},
   [](MainConfig& c, Value& v) { c.limits.max_body_bytes = static_cast<std::size_t>(v.number); }},
  {{"limits.max_header_bytes", OptionType::byte_size, "16KiB", KiB, MiB,
    "Largest request header block accepted; larger requests get 431."},
   [](MainConfig& c, Value& v) { c.limits.max_header_bytes = static_cast<std::size_t>(v.number); }},
  {{"limits.read_timeout", OptionType::duration, "30s", 100, kHour,
    "Time a client has to send one whole request."},
   [](MainConfig& c, Value& v) { c.limits.read_timeout = std::chrono::milliseconds(v.number); }},
  {{"limits.max_connections", OptionType::count, "10000", 1, 1'000'000,
    "Most client connections open at once, all listeners together."},
   [](MainConfig& c, Value& v) { c.limits.max_connections = static_cast<std::size_t>(v.number); }},
  {{"limits.max_queue_per_tenant", OptionType::count, "100000", 1, 10'000'000,
    "Alerts waiting per tenant; beyond it the tenant's requests get 429."},
   [](MainConfig& c, Value& v) {
     c.limits.max_queue_per_tenant = static_cast<std::size_t>(v.number);
   }},
  {{"limits.tenant_rate", OptionType::count, "0", 0, 10'000'000,
    "Alerts per second a tenant may send (token bucket; 0 = unlimited), unless its file says."},
   [](MainConfig& c, Value& v) { c.limits.tenant_rate = static_cast<std::uint64_t>(v.number); }},
  {{"limits.tenant_burst", OptionType::count, "0", 0, 100'000'000,
    "Token bucket size: alerts a tenant may send at once above its rate (0 = the rate)."},
   [](MainConfig& c, Value& v) { c.limits.tenant_burst = static_cast<std::uint64_t>(v.number); }},
  {{"limits.max_active_alerts_per_tenant", OptionType::count, "1000000", 1, 10'000'000,
    "Firing alerts a tenant may have at once; new firing alerts beyond it get 429."},
   [](MainConfig& c, Value& v) {
     c.limits.max_active_alerts_per_tenant = static_cast<std::size_t>(v.number);
   }},
  {{"max_tenants", OptionType::count, "10000", 1, 100'000,
    "Tenants one process can hold, counting every tenant ever loaded since start."},
   [](MainConfig& c, Value& v) { c.max_tenants = static_cast<std::size_t>(v.number); }},
  {{"admin_token", OptionType::token, "\"\"", 0, 0,
    "SHA-256 (\"sha256:<64 hex>\") of the bearer token that may POST /-/reload; empty = refused."},
   [](MainConfig& c, Value& v) { c.admin_token = std::move(v.text); }},
  {{"external_url", OptionType::string, "\"\"", 0, 0,
    "http(s) URL of alertgate used in notification links; empty = http://<first listen address>."},
   [](MainConfig& c, Value& v) { c.external_url = std::move(v.text); }},
  {{"wal", OptionType::section, "", 0, 0,
    "The write-ahead log (durability: wal): group commit and segment size."},
   nullptr},
  {{"wal.commit_interval", OptionType::duration, "1ms", 0, 100,
    "How long a group commit waits for more records after the first before its fdatasync."},
   [](MainConfig& c, Value& v) { c.wal.commit_interval = std::chrono::milliseconds(v.number); }},
  {{"wal.max_batch_bytes", OptionType::byte_size, "4MiB", 64 * KiB, 256 * MiB,
    "A group commit syncs at once when this much is waiting."},
   [](MainConfig& c, Value& v) { c.wal.max_batch_bytes = static_cast<std::size_t>(v.number); }},
  {{"wal.segment_bytes", OptionType::byte_size, "64MiB", MiB, 4096 * MiB,
    "Segment files roll at this size; a segment is deleted once all its alerts are final."},
   [](MainConfig& c, Value& v) { c.wal.segment_bytes = static_cast<std::size_t>(v.number); }},
  {{"kafka", OptionType::section, "", 0, 0,
    "Kafka brokers and producer settings (the kafka destination type)."},
   nullptr},
  {{"kafka.brokers", OptionType::string, "\"\"", 0, 0,
    "Bootstrap servers, host:port[,host:port...]; empty = no Kafka."},
   [](MainConfig& c, Value& v) { c.kafka.brokers = std::move(v.text); }},
  {{"kafka.topic_pattern", OptionType::string, "alerts-{tenant_id}", 0, 0,
    "The topic of a tenant's alerts; must contain {tenant_id}."},
   [](MainConfig& c, Value& v) { c.kafka.topic_pattern = std::move(v.text); }},
  {{"kafka.properties", OptionType::string_map, "{}", 0, 0,
    "librdkafka properties passed through (e.g. linger.ms, compression.type, security.protocol)."},
   [](MainConfig& c, Value& v) { c.kafka.properties = std::move(v.map); }},
  {{"kafka.group_id", OptionType::string, "alertgate-router", 0, 0,
    "mode: router: the consumer group the routers share."},
   [](MainConfig& c, Value& v) { c.kafka.group_id = std::move(v.text); }},
  {{"kafka.topic_regex", OptionType::string, "^alerts-.*", 0, 0,
    "mode: router: the topics consumed (a regex starting with ^)."},
   [](MainConfig& c, Value& v) { c.kafka.topic_regex = std::move(v.text); }},
  {{"kafka.create_topics", OptionType::section, "", 0, 0,
    "Topic provisioning through the Admin API."},
   nullptr},
  {{"kafka.create_topics.enabled", OptionType::boolean, "false", 0, 0,
    "Create each tenant's topic on first use (already existing is fine)."},
   [](MainConfig& c, Value& v) { c.kafka.create_topics = v.number != 0; }},
  {{"kafka.create_topics.partitions", OptionType::count, "3", 1, 10'000,
    "Partitions of a created topic."},
   [](MainConfig& c, Value& v) { c.kafka.partitions = static_cast<std::size_t>(v.number); }},
  {{"kafka.create_topics.replication_factor", OptionType::count, "2", 1, 100,
    "Replicas of a created topic."},
   [](MainConfig& c, Value& v) {
     c.kafka.replication_factor = static_cast<std::size_t>(v.number);
   }},
  {{"kafka.create_topics.config", OptionType::string_map, "{}", 0, 0,
    "Topic configuration of a created topic (e.g. cleanup.policy, retention.ms)."},
   [](MainConfig& c, Value& v) { c.kafka.topic_config = std::move(v.map); }},
  {{"dead_letters", OptionType::section, "", 0, 0,
    "Retention of the dead-letter store under data_dir/deadletters/."},
   nullptr},
  {{"dead_letters.max_age", OptionType::duration, "168h", kMinute, 24 * 366 * kHour,
    "Dead letters older than this are deleted."},
   [](MainConfig& c, Value& v) { c.dead_letters.max_age = std::chrono::milliseconds(v.number); }},
  {{"dead_letters.max_count", OptionType::count, "100000", 1, 10'000'000,
    "Dead letters kept at most; beyond it the oldest are deleted."},
   [](MainConfig& c, Value& v) {
     c.dead_letters.max_count = static_cast<std::size_t>(v.number);
   }},
  {{"smtp", OptionType::section, "", 0, 0,
    "The SMTP server email destinations send through; without smtp.url they dead-letter."},
   nullptr},
  {{"smtp.url", OptionType::string, "\"\"", 0, 0,
    "smtp://host[:port] or smtps://host[:port] (TLS from the start); empty = no email."},
   [](MainConfig& c, Value& v) { c.smtp.url = std::move(v.text); }},
  {{"smtp.from", OptionType::string, "alertgate@localhost", 0, 0,
    "The From address of notification emails."},
   [](MainConfig& c, Value& v) { c.smtp.from = std::move(v.text); }},
  {{"smtp.username", OptionType::string, "\"\"", 0, 0,
    "User name to log in to the SMTP server; empty = no login."},
   [](MainConfig& c, Value& v) { c.smtp.username = std::move(v.text); }},
  {{"smtp.password", OptionType::secret, "\"\"", 0, 0,
    "Password of smtp.username; never logged."},
   [](MainConfig& c, Value& v) { c.smtp.password = std::move(v.text); }},
  {{"smtp.starttls", OptionType::boolean, "false", 0, 0,
    "With smtp://, require STARTTLS before logging in or sending (ignored with smtps://)."},
   [](MainConfig& c, Value& v) { c.smtp.starttls = v.number != 0; }},
};
// clang-format on

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
  for (const Spec& s : kOptions) {
    if (parent_of(s.info.key) == section) allowed.push_back(leaf_of(s.info.key));
  }
  reader.check_keys(map, allowed);
  for (const Spec& s : kOptions) {
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
    if (config.kafka.brokers.empty()) reader.file_error("mode: ingest needs kafka.brokers");
    if (config.durability == Durability::wal) {
      reader.file_error(
          "mode: ingest takes durability: kafka (answer once the broker has the alert) or "
          "memory; wal is for standalone");
    }
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
    for (const Spec& s : kOptions) v.push_back(s.info);
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
