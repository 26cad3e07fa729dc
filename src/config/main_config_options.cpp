// The option table of alertgate.yaml (see main_config_options.hpp).
#include "main_config_options.hpp"

namespace alertgate::config_detail {

namespace {

constexpr std::int64_t KiB = 1024;
constexpr std::int64_t MiB = 1024 * KiB;
constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;

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
    "When 202 is answered: wal = once in the write-ahead log and fdatasync'd (mode: ingest "
    "keeps it there until Kafka has it); memory = once queued (ingest: produced); kafka "
    "(mode: ingest) = once the Kafka broker acknowledged it."},
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

}  // namespace

std::span<const Spec> option_specs() { return kOptions; }

}  // namespace alertgate::config_detail
