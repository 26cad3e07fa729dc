#include "alertgate/policy_snapshot.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

namespace alertgate {
namespace {

std::shared_ptr<const TenantPolicy> tenant(const std::string& id) {
  auto p = std::make_shared<TenantPolicy>();
  p->tenant_id = id;
  return p;
}

}  // namespace

TEST_CASE("policy_snapshot: index_of finds each tenant's slot, not an absent id") {
  PolicySnapshot s;
  s.set_tenant(0, tenant("alpha"));
  s.set_tenant(3, tenant("delta"), EffectiveLimits{5, 10, 7, 9});
  REQUIRE(s.tenants.size() == 4);
  CHECK(s.tenant_count == 2);
  CHECK(s.index_of("alpha") == TenantIndex{0});
  CHECK(s.index_of("delta") == TenantIndex{3});
  CHECK(s.find(3)->limits.max_queue == 7);
  CHECK_FALSE(s.index_of("beta").has_value());
  CHECK_FALSE(s.index_of("").has_value());
  CHECK_FALSE(s.index_of("alph").has_value());
  CHECK_FALSE(PolicySnapshot{}.index_of("alpha").has_value());
}

TEST_CASE("policy_snapshot: a removed tenant's slot (policy nullptr) is not found by its id") {
  PolicySnapshot s;
  s.set_tenant(0, tenant("alpha"));
  s.set_tenant(1, tenant("beta"));
  s.set_tenant(2, tenant("gamma"));
  s.set_tenant(1, nullptr);  // beta removed: its slot stays, empty
  REQUIRE(s.tenants.size() == 3);
  CHECK(s.tenants[1].policy == nullptr);
  CHECK(s.find(1) == nullptr);
  CHECK(s.tenant_count == 2);
  CHECK_FALSE(s.index_of("beta").has_value());
  CHECK(s.index_of("alpha") == TenantIndex{0});
  CHECK(s.index_of("gamma") == TenantIndex{2});

  // A slot never set (a tenant removed before this snapshot was built) is empty too.
  PolicySnapshot next;
  next.set_tenant(2, tenant("gamma"));
  CHECK(next.tenants[0].policy == nullptr);
  CHECK_FALSE(next.index_of("alpha").has_value());
  CHECK(next.index_of("gamma") == TenantIndex{2});
}

TEST_CASE("policy_snapshot: replacing a slot re-indexes it, a copy keeps its own index") {
  PolicySnapshot s;
  s.set_tenant(0, tenant("alpha"));
  s.set_tenant(0, tenant("alpha"));  // a reloaded policy of the same tenant
  CHECK(s.tenant_count == 1);
  CHECK(s.index_of("alpha") == TenantIndex{0});
  const PolicySnapshot copy = s;
  s.set_tenant(0, nullptr);
  CHECK_FALSE(s.index_of("alpha").has_value());
  CHECK(copy.index_of("alpha") == TenantIndex{0});
}

}  // namespace alertgate
