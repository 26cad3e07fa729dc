// Every file in config/ loads without errors, and the option table, its defaults and
// docs/configuration.md agree.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "alertgate/main_config.hpp"
#include "alertgate/tenant_policy.hpp"
#include "alertgate/token_table.hpp"

namespace alertgate {
namespace {

const std::filesystem::path kRoot = ALERTGATE_SOURCE_DIR;

std::string all_errors(const ConfigErrors& errors) {
  std::string out;
  for (const ConfigError& e : errors) out += to_string(e) + "\n";
  return out;
}

// Every setting of a MainConfig as text, to compare two configs.
std::string dump(const MainConfig& c) {
  std::ostringstream out;
  for (const ListenAddress& a : c.listen) out << a.host << " " << a.port << ";";
  out << c.threads << ";" << c.tenants_dir << ";" << c.data_dir << ";" << to_string(c.log_level)
      << ";" << c.shutdown_timeout.count() << ";" << c.resolve_timeout.count() << ";"
      << c.limits.max_body_bytes << ";" << c.limits.max_header_bytes << ";"
      << c.limits.read_timeout.count() << ";" << c.limits.max_connections << ";"
      << c.limits.max_queue_per_tenant << ";" << c.limits.tenant_rate << ";"
      << c.limits.tenant_burst << ";" << c.limits.max_active_alerts_per_tenant << ";"
      << c.max_tenants << ";" << c.admin_token << ";" << c.external_url << ";" << c.smtp.url << ";"
      << c.smtp.from << ";" << c.smtp.username << ";" << c.smtp.password << ";" << c.smtp.starttls
      << ";" << c.dead_letters.max_age.count() << ";" << c.dead_letters.max_count << ";"
      << c.wal.commit_interval.count() << ";" << c.wal.max_batch_bytes << ";" << c.wal.segment_bytes
      << ";" << c.kafka.brokers << ";" << c.kafka.topic_pattern << ";" << c.kafka.properties.size()
      << ";" << c.kafka.create_topics << ";" << c.kafka.partitions << ";"
      << c.kafka.replication_factor << ";" << c.kafka.topic_config.size() << ";" << c.kafka.group_id
      << ";" << c.kafka.topic_regex << ";" << static_cast<int>(c.mode);
  return out.str();
}

}  // namespace

TEST_CASE("example_config: config/alertgate.yaml loads without errors") {
  auto r = load_main_config_file(kRoot / "config/alertgate.yaml");
  INFO((r ? std::string() : all_errors(r.error())));
  REQUIRE(r.ok());
  REQUIRE(r->listen.size() == 1);
  CHECK(r->listen[0].host == "127.0.0.1");
  CHECK(r->listen[0].port == 9095);
  CHECK(r->threads == 0);
  CHECK(r->tenants_dir == (kRoot / "config/tenants").lexically_normal());
  CHECK(r->data_dir == (kRoot / ".alertgate-data").lexically_normal());
  // Its tenants_dir is the example tenants directory, which must load whole.
  TenantSet set = load_tenants_dir(r->tenants_dir);
  INFO(all_errors(set.errors));
  CHECK(set.errors.empty());
  CHECK(set.tenants.size() >= 2);
}

TEST_CASE("example_config: every file of config/tenants loads on its own") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kRoot / "config/tenants")) {
    const auto ext = entry.path().extension();
    if (ext != ".yaml" && ext != ".yml" && ext != ".json") continue;
    ++files;
    auto r = load_tenant_policy_file(entry.path());
    INFO(entry.path().string() << "\n" << (r ? std::string() : all_errors(r.error())));
    CHECK(r.ok());
  }
  CHECK(files >= 2);
}

TEST_CASE("example_config: config/examples/tenants/full.yaml loads with every feature") {
  auto r = load_tenant_policy_file(kRoot / "config/examples/tenants/full.yaml");
  INFO((r ? std::string() : all_errors(r.error())));
  REQUIRE(r.ok());
  CHECK(r->tenant_id == "payments");
  REQUIRE(r->tokens.size() == 1);
  CHECK(r->tokens[0] == sha256("example-full-token"));
  CHECK(r->limits.rate.has_value());
  CHECK(r->limits.burst.has_value());
  CHECK(r->limits.max_queue.has_value());
  CHECK(r->limits.max_active_alerts.has_value());
  CHECK_FALSE(r->enrich_labels.empty());
  CHECK_FALSE(r->rating.boosts.empty());
  CHECK(r->named_destinations.size() == 3);
  REQUIRE(r->rules.size() == 3);
  CHECK(r->rules[0].continue_matching);
  REQUIRE(r->rules[0].fallback.has_value());
  CHECK(r->rules[0].fallback->name == "chat");
  const Destination& oncall = r->rules[0].destinations.at(0);
  CHECK(oncall.delivery.timeout == std::chrono::seconds(5));
  CHECK(oncall.delivery.max_attempts == 20);
  CHECK(oncall.delivery.breaker_failures == 3);
  CHECK_FALSE(r->rules[0].fallback->title.empty());
  CHECK_FALSE(r->rules[0].fallback->send_resolved);
  CHECK(r->rules[1].destinations.at(1).max_alerts == 500);
  CHECK_FALSE(r->rules[1].destinations.at(1).secret.empty());
  CHECK(r->rules[1].grouping.by_all);
  CHECK_FALSE(r->rules[2].mute_when.empty());
  CHECK(r->default_rule.has_value());
  CHECK(r->inhibit.size() == 1);
  CHECK(lint_tenant_policy(*r).empty());
  // The whole examples directory loads as a tenants_dir too.
  TenantSet set = load_tenants_dir(kRoot / "config/examples/tenants");
  INFO(all_errors(set.errors));
  CHECK(set.errors.empty());
}

TEST_CASE("example_config: the demo tokens authenticate their tenants") {
  TenantSet set = load_tenants_dir(kRoot / "config/tenants");
  REQUIRE(set.errors.empty());
  TokenTable table;
  for (TenantIndex i = 0; i < set.tenants.size(); ++i) {
    for (const TokenDigest& d : set.tenants[i].tokens) table.add(d, i);
  }
  const auto t1024 = table.find("demo-token-t1024");
  REQUIRE(t1024.has_value());
  CHECK(set.tenants[*t1024].tenant_id == "t-1024");
  const auto demo = table.find(*bearer_token("Bearer demo-token"));
  REQUIRE(demo.has_value());
  CHECK(set.tenants[*demo].tenant_id == "demo");
  CHECK_FALSE(table.find("demo-token-wrong").has_value());
}

TEST_CASE("example_config: the t-1024 seed policy is intact") {
  auto r = load_tenant_policy_file(kRoot / "config/tenants/t-1024.yaml");
  REQUIRE(r.ok());
  REQUIRE(r->rules.size() == 2);
  CHECK(describe(r->rules[0].destinations[0]) == "slack(hooks.slack.com/…/***)");
  CHECK(describe(r->rules[0].destinations[1]) == "pagerduty(abcd***)");
  CHECK(describe(r->rules[1].destinations[0]) == "email(ops-team@example.com)");
}

TEST_CASE("example_config: option defaults load as the MainConfig defaults") {
  const std::string base = dump(load_main_config("", "").value());
  for (const MainConfigOption& o : main_config_options()) {
    if (o.type == OptionType::section) continue;
    // "a.b.c: v" as nested YAML maps.
    std::string yaml, indent;
    std::string_view rest = o.key;
    for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
      yaml += indent + std::string(rest.substr(0, dot)) + ":\n";
      indent += "  ";
      rest.remove_prefix(dot + 1);
    }
    yaml += indent + std::string(rest) + ": " + std::string(o.default_value) + "\n";
    auto r = load_main_config(yaml, "");
    INFO(yaml << (r ? std::string() : all_errors(r.error())));
    REQUIRE(r.ok());
    CHECK(dump(r.value()) == base);
    CHECK_FALSE(o.description.empty());
  }
}

TEST_CASE("example_config: docs/configuration.md documents every option with its bounds") {
  std::ifstream in(kRoot / "docs/configuration.md");
  REQUIRE(in.good());
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ifstream example_in(kRoot / "config/alertgate.yaml");
  const std::string example((std::istreambuf_iterator<char>(example_in)),
                            std::istreambuf_iterator<char>());
  for (const MainConfigOption& o : main_config_options()) {
    INFO(o.key);
    CHECK(doc.find("`" + std::string(o.key) + "`") != std::string::npos);
    const std::string leaf(o.key.substr(o.key.rfind('.') + 1));
    CHECK(example.find(leaf + ":") != std::string::npos);
    const std::string bounds = describe_bounds(o);
    if (!bounds.empty()) CHECK(doc.find(bounds) != std::string::npos);
  }
}

}  // namespace alertgate
