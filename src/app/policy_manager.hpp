// PolicyManager: loads the policy at start and on every reload (SIGHUP, POST /-/reload, the
// tenants_dir watch), and publishes each result as a new PolicySnapshot.
//
// A reload re-reads the main config (invalid: the whole reload is refused, nothing changes)
// and every tenant file with per-tenant isolation (reload_tenants): a refused file leaves
// its tenant on its previous policy while every other tenant's valid change applies. New
// tenants get a stable index, a queue on their home shard and metric cells before the
// snapshot that names them is published. Main-config settings that need a restart
// (listen, threads, data_dir, HTTP limits) are reported and ignored.
//
// Thread: the control thread only (it reads files).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alertgate/main_config.hpp"
#include "alertgate/metrics.hpp"
#include "alertgate/policy_snapshot.hpp"
#include "alertgate/shard.hpp"

namespace alertgate {

struct ReloadReport {
  bool success = false;              // every file loaded and applied
  bool main_config_refused = false;  // nothing changed
  ConfigErrors errors;
  std::vector<std::string> warnings;
  std::vector<std::string> added, changed, removed, refused;
  std::uint64_t generation = 0;  // of the snapshot serving after this reload
  std::size_t tenants = 0;
  std::chrono::microseconds took{0};

  // {"status":"success"|"partial"|"failure","generation":..,"errors":["file:l:c: msg"],...}
  std::string to_json() const;
};

class PolicyManager {
 public:
  // `config_path` is re-read by reload(); empty = the config is never re-read.
  // `listen_from_cli`: the running listen addresses came from --listen, not the file.
  // `prepare` readies what a tenant's policy needs before it is published (opens its `log`
  // files); an error refuses that tenant's new policy (its old one keeps serving).
  using Prepare = std::function<std::optional<Error>(const TenantPolicy&)>;
  PolicyManager(MainConfig config, std::filesystem::path config_path, bool listen_from_cli,
                Prepare prepare);

  // Start-up: loads tenants_dir and returns the first snapshot (generation 1).
  std::shared_ptr<const PolicySnapshot> load_initial(ReloadReport& report);
  // Wires the running parts; registers every tenant loaded so far with them.
  void attach(SnapshotHolder& holder, ShardSet& shards, Metrics& metrics);

  ReloadReport reload();

  const MainConfig& config() const { return config_; }
  std::size_t capacity() const { return registry_.capacity(); }

 private:
  // Registers new tenants, builds and returns the snapshot for `tenants`.
  std::shared_ptr<const PolicySnapshot> build(
      const std::vector<std::shared_ptr<const TenantPolicy>>& tenants, ReloadReport& report);
  void register_tenant(TenantIndex index);

  MainConfig config_;
  std::filesystem::path config_path_;
  bool listen_from_cli_;
  Prepare prepare_;
  TenantRegistry registry_;
  std::vector<std::shared_ptr<const TenantPolicy>> current_;
  std::uint64_t generation_ = 0;
  std::size_t attached_tenants_ = 0;  // registry indexes already given to shards/metrics
  SnapshotHolder* holder_ = nullptr;
  ShardSet* shards_ = nullptr;
  Metrics* metrics_ = nullptr;
};

}  // namespace alertgate
