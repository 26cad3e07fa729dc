// load_tenants_dir (check-config, tests): the start-up case of reload_tenants, which holds
// the directory scan and every check that spans files.
#include "alertgate/policy_snapshot.hpp"
#include "alertgate/tenant_policy.hpp"

namespace alertgate {

TenantSet load_tenants_dir(const std::filesystem::path& dir) {
  TenantsReload loaded = reload_tenants(dir, {});
  TenantSet set;
  set.errors = std::move(loaded.errors);
  set.tenants.reserve(loaded.tenants.size());
  for (const auto& p : loaded.tenants) set.tenants.push_back(*p);
  return set;
}

}  // namespace alertgate
