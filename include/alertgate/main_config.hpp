// MainConfig: the settings of `alertgate.yaml`, in one place with types, defaults and
// bounds. Loaded at start-up only, on the control thread; strict (unknown keys, duplicate
// keys, wrong types and out-of-range values are errors with file:line:col).
//
//   listen: ["127.0.0.1:9095"]        # host:port list (or one string); port 0 = any free port
//   threads: auto                     # or 1..256: reactors (= shards)
//   tenants_dir: tenants              # relative paths are relative to this file
//   data_dir: data
//   log_level: info                   # debug | info | warn | error
//   durability: wal                   # when 202 is sent: wal (logged, synced) | memory
//   shutdown_timeout: 10s             # 1s .. 10m
//   resolve_timeout: 5m               # 1s .. 24h
//   limits:
//     max_body_bytes: 1MiB            # 1 KiB .. 512 MiB
//     max_header_bytes: 16KiB         # 1 KiB .. 1 MiB
//     read_timeout: 30s               # 100ms .. 1h
//     max_connections: 10000          # 1 .. 1000000
//     max_queue_per_tenant: 100000    # 1 .. 10000000: alerts waiting per tenant before 429
//     tenant_rate: 0                  # alerts/s per tenant (token bucket); 0 = unlimited
//     tenant_burst: 0                 # bucket size; 0 = max(1, tenant_rate)
//     max_active_alerts_per_tenant: 1000000
//   max_tenants: 10000                # tenants a process can hold over all reloads
//   admin_token: "sha256:<64 hex>"    # SHA-256 of the bearer token for POST /-/reload
//   external_url: ""                  # http(s) URL of alertgate in links; "" = http://<listen[0]>
//   smtp:                             # for email destinations; without url they dead-letter
//     url: ""                         # smtp://host[:port] or smtps://host[:port]
//     from: "alertgate@localhost"
//     username: ""
//     password: ""                    # a secret: never logged
//     starttls: false                 # smtp:// only: require STARTTLS
//
// Tenant files may set their own limits; these are the defaults for tenants that do not.
//
// The authoritative list (defaults, bounds, descriptions) is main_config_options().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/config_error.hpp"
#include "alertgate/log.hpp"
#include "alertgate/result.hpp"

namespace alertgate {

struct ListenAddress {
  std::string host;  // IPv4 or IPv6 literal, or "localhost"
  std::uint16_t port = 0;
};

struct Limits {
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  std::chrono::milliseconds read_timeout = std::chrono::seconds(30);
  std::size_t max_connections = 10'000;
  std::size_t max_queue_per_tenant = 100'000;
  std::uint64_t tenant_rate = 0;   // alerts/s; 0 = unlimited
  std::uint64_t tenant_burst = 0;  // 0 = max(1, tenant_rate)
  std::size_t max_active_alerts_per_tenant = 1'000'000;
};

// The SMTP server email destinations send through (libcurl: smtp:// or smtps://).
struct SmtpConfig {  // the `smtp:` section (the transport takes an SmtpSettings)
  std::string url;   // "" = none: email destinations fail and go to the dead-letter store
  std::string from = "alertgate@localhost";
  std::string username;
  std::string password;  // secret: never logged, never in API answers
  bool starttls = false;
};

// When an accepted alert is acknowledged (ARCHITECTURE.md "Acknowledgement and durability"):
// memory = once it is queued on its shard (lost if the process dies before delivery);
// wal = once it is in the write-ahead log and fdatasync'd; kafka (mode: ingest) = once the
// Kafka broker acknowledged it (acks=all).
enum class Durability : std::uint8_t { memory, wal, kafka };

// What the process does with accepted alerts (ARCHITECTURE.md "Modes"): route and deliver
// them itself (standalone), write them to their tenant's Kafka topic (ingest), or consume
// those topics in a consumer group and route and deliver them (router).
enum class Mode : std::uint8_t { standalone, ingest, router };

struct MainConfig {
  std::vector<ListenAddress> listen{{"127.0.0.1", 9095}};
  unsigned threads = 0;  // 0 = auto (one per core)
  std::filesystem::path tenants_dir = "tenants";
  std::filesystem::path data_dir = "data";
  LogLevel log_level = LogLevel::info;
  Durability durability = Durability::wal;
  Mode mode = Mode::standalone;
  std::chrono::milliseconds shutdown_timeout = std::chrono::seconds(10);
  std::chrono::milliseconds resolve_timeout = std::chrono::minutes(5);
  Limits limits;
  std::size_t max_tenants = 10'000;
  std::string admin_token;   // "sha256:<hex>" as written, or empty: POST /-/reload is refused
  std::string external_url;  // as written; "" = effective_external_url() derives it
  SmtpConfig smtp;
  // The dead-letter store (data_dir/deadletters/): letters older than max_age, and the
  // oldest beyond max_count, are deleted.
  // durability: wal: the write-ahead log's group commit and segment size (src/wal/README.md).
  struct WalSettings {
    std::chrono::milliseconds commit_interval{1};  // wait for more records after the first
    std::size_t max_batch_bytes = std::size_t{4} << 20;
    std::size_t segment_bytes = std::size_t{64} << 20;
  } wal;
  // Kafka (the `kafka` destination type; issue 7 adds ingest and router modes). Properties
  // are librdkafka's, passed through and checked by librdkafka at start.
  struct KafkaSettings {
    std::string brokers;  // "" = no Kafka: kafka destinations dead-letter with that reason
    std::string topic_pattern = "alerts-{tenant_id}";
    std::map<std::string, std::string, std::less<>> properties;
    bool create_topics = false;  // Admin API: create a tenant's topic on first use
    std::size_t partitions = 3;
    std::size_t replication_factor = 2;
    std::map<std::string, std::string, std::less<>> topic_config;
    std::string group_id = "alertgate-router";  // mode: router
    std::string topic_regex = "^alerts-.*";     // mode: router: the subscription
  } kafka;
  struct DeadLetterRetention {
    std::chrono::milliseconds max_age = std::chrono::hours(24 * 7);
    std::size_t max_count = 100'000;
  } dead_letters;
  std::string file;  // where it was loaded from
};

// Loads and validates; relative tenants_dir/data_dir are resolved against the file's
// directory (the current directory when `file` is empty) and made absolute. An empty
// document gives the defaults. Every problem is returned at once; never throws.
Result<MainConfig, ConfigErrors> load_main_config(std::string_view text, const std::string& file);
Result<MainConfig, ConfigErrors> load_main_config_file(const std::filesystem::path& path);

// "host:port", "[::1]:port" → ListenAddress. The host must be an IP literal or
// "localhost" (no DNS at start-up); the port 0..65535.
Result<ListenAddress> parse_listen_address(std::string_view text);
// "250ms", "30s", "5m", "1h", "1h30m", "0" → duration (units ms, s, m, h; largest first).
// parse_duration and parse_byte_size are compiled in the policy stage (src/policy/units.cpp)
// because tenant files use them too.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);
// "1048576", "512KiB", "1MiB", "1GiB", "10KB", "1MB" → bytes.
Result<std::size_t> parse_byte_size(std::string_view text);

std::string_view to_string(LogLevel level);
std::string_view to_string(Durability durability);
std::string_view to_string(Mode mode);

// How alertgate is reached in links of notifications: `external_url` when set, else
// "http://<host>:<port>" of the first listen address (IPv6 in brackets).
std::string effective_external_url(const MainConfig& config);

// One row per option of alertgate.yaml. The loader takes bounds from this table,
// docs/configuration.md documents it, and a unit test checks that both agree with it and
// that `default_value` loads as the MainConfig default.
enum class OptionType : std::uint8_t {
  section,
  listen,
  threads,
  path,
  log_level,
  durability,
  mode,
  duration,
  byte_size,
  count,
  token,
  string,  // any text without control characters ("" allowed); some options check more
  secret,  // like string, never echoed in messages
  boolean,
  string_map  // a map of names to scalar values, as strings (librdkafka properties)
};
struct MainConfigOption {
  std::string_view key;  // dotted for nested keys: "limits.max_body_bytes"
  OptionType type;
  std::string_view default_value;  // as written in YAML
  std::int64_t min;                // in bytes, milliseconds or units; min == max == 0: none
  std::int64_t max;
  std::string_view description;  // one line
};
std::span<const MainConfigOption> main_config_options();
std::string_view to_string(OptionType type);                  // "duration", "byte size", ...
std::string describe_bounds(const MainConfigOption& option);  // "1KiB..512MiB", or ""

}  // namespace alertgate
