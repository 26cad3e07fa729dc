// Reloading tenants_dir with per-tenant isolation (see TenantsReload).
#include <xxhash.h>

#include <algorithm>
#include <map>
#include <set>
#include <system_error>

#include "alertgate/policy_snapshot.hpp"
#include "alertgate/yaml_reader.hpp"

namespace alertgate {

namespace {

using PolicyPtr = std::shared_ptr<const TenantPolicy>;

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

// A tenant file's outcome before the checks that span files.
struct Candidate {
  PolicyPtr policy;
  PolicyPtr previous;  // what this file held until now (may be a different tenant id)
  bool unchanged = false;
};

struct Accepting {
  TenantsReload& out;
  std::map<std::string, PolicyPtr> by_id;
  std::map<TokenDigest, std::string> owner_of_token;

  // Adds `p` unless its id or a token is taken; errors name both files.
  bool accept(const PolicyPtr& p) {
    if (auto it = by_id.find(p->tenant_id); it != by_id.end()) {
      out.errors.push_back(
          {p->file, 0, 0,
           "tenant_id \"" + p->tenant_id + "\" is already defined in " + it->second->file});
      return false;
    }
    for (const TokenDigest& d : p->tokens) {
      const auto owner = owner_of_token.find(d);
      if (owner == owner_of_token.end()) continue;
      out.errors.push_back({p->file, 0, 0,
                            "token " + digest_preview(d) + " is also used by tenant \"" +
                                owner->second + "\" (" + by_id[owner->second]->file +
                                "): a token must identify one tenant"});
      return false;
    }
    for (const TokenDigest& d : p->tokens) owner_of_token.emplace(d, p->tenant_id);
    by_id.emplace(p->tenant_id, p);
    return true;
  }
};

}  // namespace

TenantsReload reload_tenants(const std::filesystem::path& dir,
                             const std::vector<PolicyPtr>& previous) {
  TenantsReload out;
  auto keep_everything = [&](std::string message) {
    out.errors.push_back({dir.string(), 0, 0, std::move(message)});
    out.dir_failed = true;
    out.tenants = previous;
    return out;
  };
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return keep_everything(std::filesystem::exists(dir, ec) ? "not a directory"
                                                            : "tenants directory does not exist");
  }
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(dir, ec);
  for (const std::filesystem::directory_iterator end; !ec && it != end; it.increment(ec)) {
    if (is_policy_file(it->path())) files.push_back(it->path());
  }
  if (ec) return keep_everything("cannot list: " + ec.message());
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.filename() < b.filename(); });

  std::map<std::string, PolicyPtr> previous_by_file;
  for (const PolicyPtr& p : previous) previous_by_file.emplace(p->file, p);

  std::vector<Candidate> candidates;
  for (const auto& path : files) {
    Candidate c;
    if (auto prev = previous_by_file.find(path.string()); prev != previous_by_file.end()) {
      c.previous = prev->second;
    }
    YamlReader reader(path.string());
    std::error_code file_ec;
    std::optional<std::string> text;
    if (!std::filesystem::is_regular_file(path, file_ec)) {  // follows symlinks
      reader.file_error("not a regular file");
    } else {
      text = reader.read_file(path);
    }
    if (text && c.previous && c.previous->content_hash == XXH3_64bits(text->data(), text->size())) {
      c.policy = c.previous;
      c.unchanged = true;
    } else if (text) {
      auto loaded = load_tenant_policy(*text, path.string());
      if (loaded) {
        auto policy = std::make_shared<TenantPolicy>(std::move(loaded).value());
        policy->content_hash = XXH3_64bits(text->data(), text->size());
        c.policy = std::move(policy);
      } else {
        for (ConfigError& e : loaded.error()) out.errors.push_back(std::move(e));
      }
    } else {
      for (ConfigError& e : reader.take_errors()) out.errors.push_back(std::move(e));
    }
    if (!c.policy && c.previous) {
      // Refused: the tenant this file held keeps serving its previous policy.
      out.refused.push_back(c.previous->tenant_id);
      c.policy = c.previous;
      c.unchanged = true;
    }
    if (c.policy) candidates.push_back(std::move(c));
  }

  // Unchanged tenants first: a new or edited file never takes an id or a token away from a
  // tenant that is already serving.
  Accepting accepting{out, {}, {}};
  std::stable_partition(candidates.begin(), candidates.end(),
                        [](const Candidate& c) { return c.unchanged; });
  for (const Candidate& c : candidates) {
    if (accepting.accept(c.policy)) continue;
    if (c.unchanged || !c.previous || c.previous->tenant_id != c.policy->tenant_id) continue;
    out.refused.push_back(c.previous->tenant_id);
    accepting.accept(c.previous);
  }

  std::set<std::string> previous_ids;
  for (const PolicyPtr& p : previous) previous_ids.insert(p->tenant_id);
  for (const auto& [tenant_id, policy] : accepting.by_id) {
    const std::string& id = tenant_id;  // (clang 14 cannot capture a structured binding)
    out.tenants.push_back(policy);
    const auto prev = std::find_if(previous.begin(), previous.end(),
                                   [&](const PolicyPtr& p) { return p->tenant_id == id; });
    if (prev == previous.end()) {
      out.added.push_back(id);
    } else if (*prev != policy) {
      out.changed.push_back(id);
    }
  }
  for (const std::string& id : previous_ids) {
    if (accepting.by_id.count(id) == 0) out.removed.push_back(id);
  }
  std::sort(out.refused.begin(), out.refused.end());
  out.refused.erase(std::unique(out.refused.begin(), out.refused.end()), out.refused.end());
  return out;
}

}  // namespace alertgate
