#include "alertgate/main_config.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

namespace alertgate {
namespace {

std::string errors_of(const std::string& text) {
  auto r = load_main_config(text, "/etc/alertgate/alertgate.yaml");
  if (r) return "";
  std::string out;
  for (const ConfigError& e : r.error()) {
    out += std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message + "\n";
  }
  return out;
}

MainConfig load_ok(const std::string& text) {
  auto r = load_main_config(text, "/etc/alertgate/alertgate.yaml");
  INFO(errors_of(text));
  REQUIRE(r.ok());
  return std::move(r).value();
}

}  // namespace

TEST_CASE("main_config: an empty file gives the defaults") {
  const MainConfig c = load_ok("");
  REQUIRE(c.listen.size() == 1);
  CHECK(c.listen[0].host == "127.0.0.1");
  CHECK(c.listen[0].port == 9095);
  CHECK(c.threads == 0);
  CHECK(c.tenants_dir == "/etc/alertgate/tenants");
  CHECK(c.data_dir == "/etc/alertgate/data");
  CHECK(c.log_level == LogLevel::info);
  CHECK(c.shutdown_timeout == std::chrono::seconds(10));
  CHECK(c.resolve_timeout == std::chrono::minutes(5));
  CHECK(c.limits.max_body_bytes == 1024ul * 1024);
  CHECK(c.file == "/etc/alertgate/alertgate.yaml");
  CHECK(load_ok("# only a comment\n").threads == 0);
}

TEST_CASE("main_config: every option is read") {
  const MainConfig c = load_ok(
      "listen: [\"0.0.0.0:8080\", \"[::1]:0\"]\n"
      "threads: 4\n"
      "tenants_dir: /srv/tenants\n"
      "data_dir: ../var/./data\n"
      "log_level: debug\n"
      "shutdown_timeout: 1m30s\n"
      "resolve_timeout: 1h\n"
      "limits:\n"
      "  max_body_bytes: 2MiB\n"
      "  max_header_bytes: 8192\n"
      "  read_timeout: 250ms\n"
      "  max_connections: 5\n"
      "  max_queue_per_tenant: 1000\n");
  REQUIRE(c.listen.size() == 2);
  CHECK(c.listen[0].host == "0.0.0.0");
  CHECK(c.listen[0].port == 8080);
  CHECK(c.listen[1].host == "::1");
  CHECK(c.listen[1].port == 0);
  CHECK(c.threads == 4);
  CHECK(c.tenants_dir == "/srv/tenants");
  CHECK(c.data_dir == "/etc/var/data");
  CHECK(c.log_level == LogLevel::debug);
  CHECK(c.shutdown_timeout == std::chrono::seconds(90));
  CHECK(c.resolve_timeout == std::chrono::hours(1));
  CHECK(c.limits.max_body_bytes == 2ul * 1024 * 1024);
  CHECK(c.limits.max_header_bytes == 8192);
  CHECK(c.limits.read_timeout == std::chrono::milliseconds(250));
  CHECK(c.limits.max_connections == 5);
  CHECK(c.limits.max_queue_per_tenant == 1000);
}

TEST_CASE("main_config: listen takes one string too") {
  const MainConfig c = load_ok("listen: \"localhost:0\"\n");
  REQUIRE(c.listen.size() == 1);
  CHECK(c.listen[0].host == "localhost");
}

TEST_CASE("main_config: bad listen addresses are reported at each entry") {
  CHECK(errors_of("listen:\n  - 127.0.0.1:70000\n  - \"127.0.0.1\"\n  - ok:1\n") ==
        "2:5: \"listen\": port 70000 is out of range 0..65535\n"
        "3:5: \"listen\": missing port in \"127.0.0.1\" (host:port, e.g. 127.0.0.1:9095)\n"
        "4:5: \"listen\": host \"ok\" must be an IP address or localhost (no DNS at start-up)\n");
  CHECK(errors_of("listen: []\n") == "1:9: \"listen\": needs at least one address\n");
  CHECK(errors_of("listen: [\"1.2.3.4:80\", \"1.2.3.4:80\"]\n") ==
        "1:24: \"listen\": duplicate address \"1.2.3.4:80\"\n");
  CHECK(errors_of("listen: {a: b}\n") ==
        "1:9: \"listen\": expected a string or a list of strings, got a map\n");
}

TEST_CASE("main_config: threads is auto or 1..256") {
  CHECK(load_ok("threads: auto\n").threads == 0);
  CHECK(load_ok("threads: 256\n").threads == 256);
  CHECK(errors_of("threads: 0\n") == "1:10: \"threads\": 0 is out of range 1..256\n");
  CHECK(errors_of("threads: 257\n") == "1:10: \"threads\": 257 is out of range 1..256\n");
  CHECK(errors_of("threads: many\n") == "1:10: \"threads\": expected an integer, got \"many\"\n");
  CHECK(errors_of("threads: \"4\"\n") == "1:10: \"threads\": expected an integer, got a string\n");
  CHECK(errors_of("threads: 99999999999999999999999\n") ==
        "1:10: \"threads\": 99999999999999999999999 is out of range 1..256\n");
}

TEST_CASE("main_config: durations and byte sizes are checked against their bounds") {
  CHECK(errors_of("limits:\n  read_timeout: 50ms\n") ==
        "2:17: \"read_timeout\": 50ms is out of range 100ms..1h\n");
  CHECK(errors_of("limits:\n  read_timeout: 30\n") ==
        "2:17: \"read_timeout\": missing unit in duration \"30\" (use ms, s, m or h, e.g. 250ms, "
        "30s, 5m, 1h30m)\n");
  CHECK(errors_of("limits:\n  max_body_bytes: 1GiB\n") ==
        "2:19: \"max_body_bytes\": 1GiB is out of range 1KiB..512MiB\n");
  CHECK(errors_of("limits:\n  max_header_bytes: 16kb\n") ==
        "2:21: \"max_header_bytes\": unknown unit \"kb\" in byte size \"16kb\" (use B, KB, MB, "
        "GB, KiB, MiB or GiB)\n");
  CHECK(errors_of("shutdown_timeout: [1]\n") ==
        "1:19: \"shutdown_timeout\": expected a duration, got a list\n");
  CHECK(errors_of("limits:\n  max_connections: 0\n") ==
        "2:20: \"max_connections\": 0 is out of range 1..1000000\n");
}

TEST_CASE("main_config: unknown keys at every level, with suggestions") {
  CHECK(errors_of("listn: \"1.2.3.4:1\"\nlimits:\n  max_body: 1\n  read_timout: 1s\n") ==
        "1:1: unknown key \"listn\" (did you mean \"listen\"?)\n"
        "3:3: unknown key \"max_body\"\n"
        "4:3: unknown key \"read_timout\" (did you mean \"read_timeout\"?)\n");
  CHECK(errors_of("durabilty: memory\n") ==
        "1:1: unknown key \"durabilty\" (did you mean \"durability\"?)\n");
  CHECK(errors_of("limits: 5\n") == "1:9: \"limits\": expected a map, got a number\n");
  CHECK(errors_of("limits:\n") == "1:1: \"limits\": expected a map, got null\n");
  CHECK(errors_of("[1]\n") == "1:1: config: expected a map, got a list\n");
}

TEST_CASE("main_config: durability") {
  CHECK(load_ok("").durability == Durability::wal);
  CHECK(load_ok("durability: memory\n").durability == Durability::memory);
  CHECK(errors_of("durability: disk\n") ==
        "1:13: \"durability\": unknown durability \"disk\" (use wal, memory or kafka)\n");
  CHECK(load_ok("durability: wal\n").durability == Durability::wal);
}

TEST_CASE("main_config: log_level, duplicates and syntax errors") {
  CHECK(load_ok("log_level: error\n").log_level == LogLevel::error);
  CHECK(errors_of("log_level: debg\n") ==
        "1:12: \"log_level\": unknown log level \"debg\" (use debug, info, warn or error) (did "
        "you mean \"debug\"?)\n");
  CHECK(errors_of("threads: 1\nthreads: 2\n") == "2:1: duplicate key \"threads\" (first at 1:1)\n");
  CHECK(errors_of("threads: 1\nlimits: {a: 1\n") ==
        "3:1: YAML syntax error: end of map flow not found\n");
  CHECK(to_string(LogLevel::debug) == "debug");
  CHECK(to_string(LogLevel::warn) == "warn");
}

TEST_CASE("main_config: relative directories resolve against the config file") {
  auto r = load_main_config("tenants_dir: t\ndata_dir: /abs/d\n", "conf/alertgate.yaml");
  REQUIRE(r.ok());
  const auto cwd = std::filesystem::current_path();
  CHECK(r->tenants_dir == (cwd / "conf/t").lexically_normal());
  CHECK(r->data_dir == "/abs/d");
  auto no_file = load_main_config("tenants_dir: t\n", "");
  REQUIRE(no_file.ok());
  CHECK(no_file->tenants_dir == (cwd / "t").lexically_normal());
  CHECK(errors_of("tenants_dir: x\ndata_dir: ./x\n") ==
        "0:0: tenants_dir and data_dir must be different directories\n");
}

TEST_CASE("main_config: loading a missing file is one error") {
  auto r = load_main_config_file("/nonexistent/alertgate.yaml");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.error().size() == 1);
  CHECK(r.error()[0].file == "/nonexistent/alertgate.yaml");
}

}  // namespace alertgate

namespace alertgate {

TEST_CASE("main_config: external_url and smtp load, with their defaults") {
  const MainConfig d = load_ok("");
  CHECK(d.external_url.empty());
  CHECK(d.smtp.url.empty());
  CHECK(d.smtp.from == "alertgate@localhost");
  CHECK(d.smtp.username.empty());
  CHECK(d.smtp.password.empty());
  CHECK_FALSE(d.smtp.starttls);
  const MainConfig c = load_ok(
      "external_url: https://alerts.example.com/gw\n"
      "smtp:\n"
      "  url: smtp://mail.example.com:587\n"
      "  from: \"Alertgate <alertgate@example.com>\"\n"
      "  username: gw\n"
      "  password: \"p@ss: word\"\n"
      "  starttls: true\n");
  CHECK(c.external_url == "https://alerts.example.com/gw");
  CHECK(c.smtp.url == "smtp://mail.example.com:587");
  CHECK(c.smtp.from == "Alertgate <alertgate@example.com>");
  CHECK(c.smtp.username == "gw");
  CHECK(c.smtp.password == "p@ss: word");
  CHECK(c.smtp.starttls);
  CHECK(load_ok("smtp:\n  url: SMTPS://mail.example.com\n").smtp.url == "SMTPS://mail.example.com");
  CHECK(load_ok("external_url: \"\"\n").external_url.empty());
}

TEST_CASE("main_config: external_url and smtp values are checked") {
  CHECK(errors_of("external_url: ftp://x\n") ==
        "1:15: \"external_url\": expected an http:// or https:// URL with a host, got "
        "\"ftp://x\"\n");
  CHECK(errors_of("external_url: 'http:///path'\n") ==
        "1:15: \"external_url\": expected an http:// or https:// URL with a host, got "
        "\"http:///path\"\n");
  CHECK(errors_of("external_url: [a]\n") ==
        "1:15: \"external_url\": expected a string, got a list\n");
  // The URL may hold credentials: never echoed.
  const std::string bad_url = errors_of("smtp:\n  url: \"http://user:SECRET@mail\"\n");
  CHECK(bad_url == "2:8: \"url\": expected smtp://host[:port] or smtps://host[:port]\n");
  CHECK(errors_of("smtp:\n  url: 'smtp://'\n") ==
        "2:8: \"url\": expected smtp://host[:port] or smtps://host[:port]\n");
  CHECK(errors_of("smtp:\n  from: nobody\n") ==
        "2:9: \"from\": expected an email address (name@domain or Name <name@domain>), got "
        "\"nobody\"\n");
  CHECK(errors_of("smtp:\n  from: ''\n") == "2:9: \"from\": must not be empty\n");
  CHECK(errors_of("smtp:\n  from: \"a@b\\r\\nBcc: x@y\"\n") ==
        "2:9: \"from\": must not contain control characters\n");
  const std::string bad_password = errors_of("smtp:\n  password: \"SECRET\\n\"\n");
  CHECK(bad_password == "2:13: \"password\": must not contain control characters\n");
  CHECK(errors_of("smtp:\n  starttls: yes\n") ==
        "2:13: \"starttls\": expected true or false, got \"yes\"\n");
  CHECK(errors_of("smtp:\n  host: x\n") == "2:3: unknown key \"host\"\n");
  CHECK(errors_of("smtp: x\n") == "1:7: \"smtp\": expected a map, got a string\n");
}

TEST_CASE("main_config: effective_external_url") {
  MainConfig c;
  CHECK(effective_external_url(c) == "http://127.0.0.1:9095");
  c.listen = {{"::1", 8080}, {"127.0.0.1", 1}};
  CHECK(effective_external_url(c) == "http://[::1]:8080");
  c.external_url = "https://gw.example.com";
  CHECK(effective_external_url(c) == "https://gw.example.com");
}

TEST_CASE("main_config: the option table types the new options") {
  int found = 0;
  for (const MainConfigOption& o : main_config_options()) {
    if (o.key == "smtp.password") {
      CHECK(o.type == OptionType::secret);
      ++found;
    }
    if (o.key == "smtp.starttls") {
      CHECK(o.type == OptionType::boolean);
      ++found;
    }
    if (o.key == "external_url" || o.key == "smtp.url") {
      CHECK(o.type == OptionType::string);
      ++found;
    }
  }
  CHECK(found == 4);
  CHECK(to_string(OptionType::boolean) == "boolean");
  CHECK(to_string(OptionType::string) == "string");
}

TEST_CASE("main_config: kafka brokers, topic pattern, properties and topic provisioning") {
  const MainConfig d = load_ok("");
  CHECK(d.kafka.brokers.empty());
  CHECK(d.kafka.topic_pattern == "alerts-{tenant_id}");
  CHECK_FALSE(d.kafka.create_topics);
  const MainConfig c = load_ok(
      "kafka:\n"
      "  brokers: \"127.0.0.1:9092,127.0.0.1:9093\"\n"
      "  topic_pattern: \"prod.alerts.{tenant_id}\"\n"
      "  properties: {linger.ms: 5, compression.type: zstd}\n"
      "  create_topics:\n"
      "    enabled: true\n"
      "    partitions: 6\n"
      "    config: {cleanup.policy: compact, retention.ms: 604800000}\n");
  CHECK(c.kafka.brokers == "127.0.0.1:9092,127.0.0.1:9093");
  CHECK(c.kafka.topic_pattern == "prod.alerts.{tenant_id}");
  CHECK(c.kafka.properties.at("linger.ms") == "5");
  CHECK(c.kafka.properties.at("compression.type") == "zstd");
  CHECK(c.kafka.create_topics);
  CHECK(c.kafka.partitions == 6);
  CHECK(c.kafka.replication_factor == 2);
  CHECK(c.kafka.topic_config.at("retention.ms") == "604800000");
  CHECK(errors_of("kafka:\n  topic_pattern: alerts\n").find("must contain {tenant_id}") !=
        std::string::npos);
  CHECK(errors_of("kafka:\n  properties: {linger.ms: [1]}\n") ==
        "2:27: \"kafka.properties.linger.ms\": expected a scalar value without control "
        "characters\n");
  CHECK(errors_of("kafka:\n  properties: 5\n").find("\"properties\"") != std::string::npos);
}

TEST_CASE("main_config: mode ingest takes kafka brokers and any durability") {
  CHECK(load_ok("").mode == Mode::standalone);
  const MainConfig c =
      load_ok("mode: ingest\ndurability: kafka\nkafka:\n  brokers: \"127.0.0.1:9092\"\n");
  CHECK(c.mode == Mode::ingest);
  CHECK(c.durability == Durability::kafka);
  CHECK(load_ok("mode: ingest\ndurability: memory\nkafka: {brokers: \"h:1\"}\n").mode ==
        Mode::ingest);
  CHECK(errors_of("mode: ingest\ndurability: kafka\n").find("needs kafka.brokers") !=
        std::string::npos);
  // The default durability (wal) keeps each alert in the log until the broker has it.
  CHECK(load_ok("mode: ingest\nkafka: {brokers: \"h:1\"}\n").durability == Durability::wal);
  CHECK(errors_of("durability: kafka\n").find("needs mode: ingest") != std::string::npos);
  CHECK(errors_of("mode: route\n") ==
        "1:7: \"mode\": unknown mode \"route\" (use standalone, ingest or router) (did you "
        "mean \"router\"?)\n");
  const MainConfig r =
      load_ok("mode: router\ndurability: kafka\nkafka:\n  brokers: \"h:1\"\n  group_id: routers\n");
  CHECK(r.mode == Mode::router);
  CHECK(r.kafka.group_id == "routers");
  CHECK(r.kafka.topic_regex == "^alerts-.*");
  CHECK(errors_of("mode: router\nkafka: {brokers: \"h:1\"}\n").find("set durability: kafka") !=
        std::string::npos);
}

}  // namespace alertgate
