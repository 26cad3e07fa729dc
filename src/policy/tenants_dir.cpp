// Loading every tenant file of a directory, plus the checks that span files.
#include <algorithm>
#include <map>
#include <string>
#include <system_error>

#include "alertgate/tenant_policy.hpp"

namespace alertgate {

namespace {

bool is_policy_file(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  // Dot files are editor leftovers or Kubernetes ConfigMap internals ("..data").
  if (name.empty() || name[0] == '.') return false;
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

std::string digest_preview(const TokenDigest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"sha256:";
  for (std::size_t i = 0; i < 2; ++i) {
    out += kHex[d[i] >> 4];
    out += kHex[d[i] & 15];
  }
  return out + "…\"";
}

}  // namespace

TenantSet load_tenants_dir(const std::filesystem::path& dir) {
  TenantSet set;
  auto dir_error = [&](std::string message) {
    set.errors.push_back({dir.string(), 0, 0, std::move(message)});
  };
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    dir_error(std::filesystem::exists(dir, ec) ? "not a directory"
                                               : "tenants directory does not exist");
    return set;
  }

  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(dir, ec);
  for (const std::filesystem::directory_iterator end; !ec && it != end; it.increment(ec)) {
    const std::filesystem::path& p = it->path();
    if (!is_policy_file(p)) continue;
    std::error_code file_ec;
    if (!std::filesystem::is_regular_file(p, file_ec)) {  // follows symlinks
      set.errors.push_back({p.string(), 0, 0, "not a regular file"});
      continue;
    }
    files.push_back(p);
  }
  if (ec) {
    dir_error("cannot list: " + ec.message());
    return set;
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.filename() < b.filename(); });

  std::map<std::string, std::string> file_of_tenant;
  std::map<TokenDigest, const std::string*> tenant_of_token;  // points into file_of_tenant
  for (const auto& path : files) {
    auto loaded = load_tenant_policy_file(path);
    if (!loaded) {
      for (ConfigError& e : loaded.error()) set.errors.push_back(std::move(e));
      continue;
    }
    TenantPolicy& policy = loaded.value();
    auto [slot, inserted] = file_of_tenant.emplace(policy.tenant_id, policy.file);
    if (!inserted) {
      set.errors.push_back(
          {policy.file, 0, 0,
           "tenant_id \"" + policy.tenant_id + "\" is already defined in " + slot->second});
      continue;
    }
    bool clash = false;
    for (const TokenDigest& d : policy.tokens) {
      auto [owner, fresh] = tenant_of_token.emplace(d, &slot->first);
      if (fresh) continue;
      clash = true;
      const std::string& other = *owner->second;
      set.errors.push_back({policy.file, 0, 0,
                            "token " + digest_preview(d) + " is also used by tenant \"" + other +
                                "\" (" + file_of_tenant[other] +
                                "): a token must identify one tenant"});
    }
    if (!clash) set.tenants.push_back(std::move(policy));
  }
  std::sort(set.tenants.begin(), set.tenants.end(),
            [](const TenantPolicy& a, const TenantPolicy& b) { return a.tenant_id < b.tenant_id; });
  return set;
}

}  // namespace alertgate
