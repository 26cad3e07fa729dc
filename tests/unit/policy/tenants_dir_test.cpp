#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "alertgate/tenant_policy.hpp"
#include "temp_dir.hpp"

namespace alertgate {
namespace {

using testing::TempDir;

std::string tenant(const std::string& id, const std::string& token = "") {
  std::string text = "tenant_id: " + id + "\n";
  if (!token.empty()) {
    text += "tokens: [\"sha256:";
    for (unsigned char c : sha256(token)) {
      static constexpr char kHex[] = "0123456789abcdef";
      text += kHex[c >> 4];
      text += kHex[c & 15];
    }
    text += "\"]\n";
  }
  return text + "rules:\n  - destinations: [{type: log}]\n";
}

}  // namespace

TEST_CASE("tenants_dir: loads every yaml, yml and json file, sorted by tenant id") {
  TempDir dir;
  dir.write("b.yaml", tenant("zeta", "tok-z"));
  dir.write("a.yml", tenant("alpha", "tok-a"));
  dir.write("c.json", R"({"tenant_id": "mid", "rules": []})");
  dir.write("notes.txt", "not a policy");
  dir.write(".hidden.yaml", "garbage: [");
  std::filesystem::create_directory(dir.path() / "sub.yaml.d");
  TenantSet set = load_tenants_dir(dir.path());
  INFO((set.errors.empty() ? std::string() : to_string(set.errors[0])));
  REQUIRE(set.errors.empty());
  REQUIRE(set.tenants.size() == 3);
  CHECK(set.tenants[0].tenant_id == "alpha");
  CHECK(set.tenants[1].tenant_id == "mid");
  CHECK(set.tenants[2].tenant_id == "zeta");
  CHECK(set.tenants[0].file == (dir.path() / "a.yml").string());
}

TEST_CASE("tenants_dir: a missing directory is one error") {
  TenantSet set = load_tenants_dir("/nonexistent/alertgate/tenants");
  REQUIRE(set.errors.size() == 1);
  CHECK(to_string(set.errors[0]) ==
        "/nonexistent/alertgate/tenants: tenants directory does not exist");
  CHECK(set.tenants.empty());
}

TEST_CASE("tenants_dir: an empty directory has no tenants and no errors") {
  TempDir dir;
  TenantSet set = load_tenants_dir(dir.path());
  CHECK(set.errors.empty());
  CHECK(set.tenants.empty());
}

TEST_CASE("tenants_dir: errors of every file are collected, sorted by file name") {
  TempDir dir;
  dir.write("b.yaml", "tenant_id: b\nrulez: []\n");
  dir.write("a.yaml", "tenant_id: a\nrules: [\n");
  dir.write("c.yaml", tenant("c"));
  TenantSet set = load_tenants_dir(dir.path());
  REQUIRE(set.errors.size() == 2);
  CHECK(set.errors[0].file == (dir.path() / "a.yaml").string());
  CHECK(set.errors[1].file == (dir.path() / "b.yaml").string());
  CHECK(set.errors[1].line == 2);
  CHECK(set.errors[1].column == 1);
  REQUIRE(set.tenants.size() == 1);
  CHECK(set.tenants[0].tenant_id == "c");
}

TEST_CASE("tenants_dir: a duplicate tenant_id names both files") {
  TempDir dir;
  dir.write("one.yaml", tenant("same"));
  dir.write("two.yaml", tenant("same"));
  TenantSet set = load_tenants_dir(dir.path());
  REQUIRE(set.errors.size() == 1);
  CHECK(set.errors[0].file == (dir.path() / "two.yaml").string());
  CHECK(set.errors[0].message ==
        "tenant_id \"same\" is already defined in " + (dir.path() / "one.yaml").string());
  REQUIRE(set.tenants.size() == 1);
}

TEST_CASE("tenants_dir: one token in two tenants is an ambiguous credential") {
  TempDir dir;
  dir.write("a.yaml", tenant("a", "shared-token"));
  dir.write("b.yaml", tenant("b", "shared-token"));
  TenantSet set = load_tenants_dir(dir.path());
  REQUIRE(set.errors.size() == 1);
  const std::string& m = set.errors[0].message;
  CHECK(set.errors[0].file == (dir.path() / "b.yaml").string());
  CHECK(m.find("is also used by tenant \"a\" (" + (dir.path() / "a.yaml").string() + ")") !=
        std::string::npos);
  CHECK(m.rfind("token \"sha256:", 0) == 0);
  CHECK(m.find("shared-token") == std::string::npos);
}

}  // namespace alertgate
