#include <catch2/catch.hpp>

#include "alertgate/policy_snapshot.hpp"
#include "temp_dir.hpp"

namespace alertgate {
namespace {

using testing::TempDir;
using Policies = std::vector<std::shared_ptr<const TenantPolicy>>;

std::string token_line(char c) { return "tokens: [\"sha256:" + std::string(64, c) + "\"]\n"; }

std::string tenant(const std::string& id, char token, const std::string& severity = "critical") {
  return "tenant_id: " + id + "\n" + token_line(token) + "rules:\n  - severity: " + severity +
         "\n    destinations: [{type: log}]\n";
}

const TenantPolicy* find(const Policies& ps, const std::string& id) {
  for (const auto& p : ps) {
    if (p->tenant_id == id) return p.get();
  }
  return nullptr;
}

}  // namespace

TEST_CASE("tenant_reload: first load adds every valid tenant") {
  TempDir dir;
  dir.write("a.yaml", tenant("a", '1'));
  dir.write("b.yaml", tenant("b", '2'));
  auto r = reload_tenants(dir.path(), {});
  CHECK(r.errors.empty());
  REQUIRE(r.tenants.size() == 2);
  CHECK(r.added == std::vector<std::string>{"a", "b"});
  CHECK(r.tenants[0]->content_hash != 0);
}

TEST_CASE("tenant_reload: unchanged files keep their policy object, edits apply") {
  TempDir dir;
  dir.write("a.yaml", tenant("a", '1'));
  dir.write("b.yaml", tenant("b", '2'));
  const auto first = reload_tenants(dir.path(), {});
  dir.write("b.yaml", tenant("b", '2', "warning"));
  const auto second = reload_tenants(dir.path(), first.tenants);
  CHECK(second.errors.empty());
  CHECK(second.changed == std::vector<std::string>{"b"});
  CHECK(second.added.empty());
  CHECK(find(second.tenants, "a") == find(first.tenants, "a"));  // same object
  CHECK(find(second.tenants, "b")->rules[0].severities[0] == Severity::warning);
}

TEST_CASE("tenant_reload: a broken file is refused alone, its tenant keeps the old policy") {
  TempDir dir;
  dir.write("a.yaml", tenant("a", '1'));
  dir.write("b.yaml", tenant("b", '2'));
  const auto first = reload_tenants(dir.path(), {});
  dir.write("a.yaml", "tenant_id: a\nrules:\n  - severity: critcal\n");  // typo + no dests
  dir.write("b.yaml", tenant("b", '2', "warning"));
  const auto second = reload_tenants(dir.path(), first.tenants);
  CHECK_FALSE(second.errors.empty());
  for (const auto& e : second.errors) CHECK(e.file == (dir.path() / "a.yaml").string());
  CHECK(second.refused == std::vector<std::string>{"a"});
  CHECK(second.changed == std::vector<std::string>{"b"});
  REQUIRE(find(second.tenants, "a") == find(first.tenants, "a"));
  CHECK(find(second.tenants, "b")->rules[0].severities[0] == Severity::warning);
}

TEST_CASE("tenant_reload: a new file cannot take an id or a token from a serving tenant") {
  TempDir dir;
  dir.write("b.yaml", tenant("b", '2'));
  const auto first = reload_tenants(dir.path(), {});
  dir.write("a-dup.yaml", tenant("b", '3'));  // same id, sorts first
  dir.write("c.yaml", tenant("c", '2'));      // b's token
  dir.write("d.yaml", tenant("d", '4'));      // fine
  const auto second = reload_tenants(dir.path(), first.tenants);
  CHECK(second.errors.size() == 2);
  CHECK(find(second.tenants, "b") == find(first.tenants, "b"));
  CHECK(find(second.tenants, "c") == nullptr);
  CHECK(second.added == std::vector<std::string>{"d"});
}

TEST_CASE("tenant_reload: deleted files remove their tenant, a missing dir changes nothing") {
  TempDir dir;
  dir.write("a.yaml", tenant("a", '1'));
  dir.write("b.yaml", tenant("b", '2'));
  const auto first = reload_tenants(dir.path(), {});
  dir.remove("a.yaml");
  const auto second = reload_tenants(dir.path(), first.tenants);
  CHECK(second.removed == std::vector<std::string>{"a"});
  CHECK(second.tenants.size() == 1);
  const auto third = reload_tenants(dir.path() / "nope", second.tenants);
  CHECK(third.dir_failed);
  CHECK(third.tenants == second.tenants);
}

TEST_CASE("tenant_reload: effective limits take the main config's defaults") {
  Limits defaults;
  defaults.tenant_rate = 100;
  defaults.max_queue_per_tenant = 5000;
  TenantLimits own;
  auto e = effective_limits(own, defaults);
  CHECK(e.rate == 100);
  CHECK(e.burst == 100);
  CHECK(e.max_queue == 5000);
  own.rate = 10;
  own.max_queue = 7;
  e = effective_limits(own, defaults);
  CHECK(e.rate == 10);
  CHECK(e.burst == 10);
  CHECK(e.max_queue == 7);
  defaults.tenant_burst = 1000;
  CHECK(effective_limits(TenantLimits{}, defaults).burst == 1000);
}

TEST_CASE("tenant_reload: registry indexes are stable and bounded") {
  TenantRegistry reg(2);
  CHECK(reg.add("a").value() == 0);
  CHECK(reg.add("b").value() == 1);
  CHECK(reg.add("a").value() == 0);
  CHECK_FALSE(reg.add("c").ok());
}

}  // namespace alertgate
