#include "policy_manager.hpp"

#include <fmt/format.h>

#include "alertgate/json_text.hpp"
#include "alertgate/log.hpp"

namespace alertgate {

namespace {

void append_list(std::string& out, std::string_view key, const std::vector<std::string>& items) {
  out.append(",\"").append(key).append("\":[");
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out.push_back(',');
    append_json_string(out, items[i]);
  }
  out.push_back(']');
}

// Settings a running process cannot change; a reload that changes them says so.
std::vector<std::string> needs_restart(const MainConfig& a, const MainConfig& b) {
  std::vector<std::string> out;
  auto check = [&](bool same, const char* key) {
    if (!same) out.push_back(std::string(key) + " changed: takes effect after a restart");
  };
  const bool same_listen =
      a.listen.size() == b.listen.size() &&
      std::equal(a.listen.begin(), a.listen.end(), b.listen.begin(),
                 [](auto& x, auto& y) { return x.host == y.host && x.port == y.port; });
  check(same_listen, "listen");
  check(a.threads == b.threads, "threads");
  check(a.data_dir == b.data_dir, "data_dir");
  check(a.max_tenants == b.max_tenants, "max_tenants");
  check(a.limits.max_body_bytes == b.limits.max_body_bytes &&
            a.limits.max_header_bytes == b.limits.max_header_bytes &&
            a.limits.read_timeout == b.limits.read_timeout &&
            a.limits.max_connections == b.limits.max_connections,
        "limits (HTTP)");
  check(a.resolve_timeout == b.resolve_timeout, "resolve_timeout");
  return out;
}

}  // namespace

std::string ReloadReport::to_json() const {
  std::string out = "{\"status\":";
  append_json_string(out, success ? "success" : main_config_refused ? "failure" : "partial");
  fmt::format_to(std::back_inserter(out), ",\"generation\":{},\"tenants\":{},\"took_ms\":{:.3f}",
                 generation, tenants, static_cast<double>(took.count()) / 1000.0);
  std::vector<std::string> errs;
  errs.reserve(errors.size());
  for (const auto& e : errors) errs.push_back(to_string(e));
  append_list(out, "errors", errs);
  append_list(out, "warnings", warnings);
  append_list(out, "added", added);
  append_list(out, "changed", changed);
  append_list(out, "removed", removed);
  append_list(out, "refused", refused);
  out.push_back('}');
  return out;
}

PolicyManager::PolicyManager(MainConfig config, std::filesystem::path config_path,
                             bool listen_from_cli, Prepare prepare)
    : config_(std::move(config)),
      config_path_(std::move(config_path)),
      listen_from_cli_(listen_from_cli),
      prepare_(std::move(prepare)),
      registry_(config_.max_tenants) {}

std::shared_ptr<const PolicySnapshot> PolicyManager::load_initial(ReloadReport& report) {
  const auto start = std::chrono::steady_clock::now();
  TenantsReload loaded = reload_tenants(config_.tenants_dir, {});
  report.errors = std::move(loaded.errors);
  report.added = std::move(loaded.added);
  auto snapshot = build(loaded.tenants, report);
  report.success = report.errors.empty();
  report.took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  return snapshot;
}

void PolicyManager::attach(SnapshotHolder& holder, ShardSet& shards, Metrics& metrics) {
  holder_ = &holder;
  shards_ = &shards;
  metrics_ = &metrics;
  for (std::size_t i = attached_tenants_; i < registry_.size(); ++i) {
    register_tenant(static_cast<TenantIndex>(i));
  }
  attached_tenants_ = registry_.size();
  for (const auto& p : current_) {
    if (auto i = registry_.find(p->tenant_id)) {
      shards_->set_max_queue(*i, effective_limits(p->limits, config_.limits).max_queue);
    }
  }
}

void PolicyManager::register_tenant(TenantIndex index) {
  shards_->add_tenant(index, registry_.id(index));
  metrics_->add_tenant(index, registry_.id(index));
}

std::shared_ptr<const PolicySnapshot> PolicyManager::build(
    const std::vector<std::shared_ptr<const TenantPolicy>>& tenants, ReloadReport& report) {
  auto snap = std::make_shared<PolicySnapshot>();
  std::vector<std::shared_ptr<const TenantPolicy>> served;
  for (const auto& p : tenants) {
    if (auto err = prepare_(*p)) {
      report.errors.push_back({p->file, 0, 0, err->message});
      // Its previous policy (if any) keeps serving; its log files were opened back then.
      const auto prev = std::find_if(current_.begin(), current_.end(),
                                     [&](const auto& c) { return c->tenant_id == p->tenant_id; });
      if (prev == current_.end()) continue;
      report.refused.push_back(p->tenant_id);
      served.push_back(*prev);
      continue;
    }
    served.push_back(p);
  }
  for (const auto& p : served) {
    auto index = registry_.add(p->tenant_id);
    if (!index) {
      report.errors.push_back({p->file, 0, 0, index.error().message});
      continue;
    }
    snap->set_tenant(*index, p, effective_limits(p->limits, config_.limits));
    for (const auto& digest : p->tokens) snap->tokens.add(digest, *index);
  }
  snap->admin_token = parse_token_digest(config_.admin_token);
  snap->generation = ++generation_;
  current_.clear();
  for (const auto& t : snap->tenants) {
    if (t.policy) current_.push_back(t.policy);
  }
  report.generation = snap->generation;
  report.tenants = snap->tenant_count;
  return snap;
}

ReloadReport PolicyManager::reload() {
  const auto start = std::chrono::steady_clock::now();
  ReloadReport report;
  if (!config_path_.empty()) {
    auto loaded = load_main_config_file(config_path_);
    if (!loaded) {
      report.main_config_refused = true;
      report.errors = std::move(loaded.error());
      report.generation = generation_;
      report.tenants = current_.size();
    } else {
      if (listen_from_cli_) loaded->listen = config_.listen;
      report.warnings = needs_restart(config_, *loaded);
      MainConfig next = std::move(loaded).value();
      // Keep what needs a restart as it runs; take the rest.
      config_.tenants_dir = next.tenants_dir;
      config_.log_level = next.log_level;
      config_.admin_token = next.admin_token;
      config_.shutdown_timeout = next.shutdown_timeout;
      config_.limits.max_queue_per_tenant = next.limits.max_queue_per_tenant;
      config_.limits.tenant_rate = next.limits.tenant_rate;
      config_.limits.tenant_burst = next.limits.tenant_burst;
      config_.limits.max_active_alerts_per_tenant = next.limits.max_active_alerts_per_tenant;
      log::set_level(config_.log_level);
    }
  }
  if (!report.main_config_refused) {
    TenantsReload loaded = reload_tenants(config_.tenants_dir, current_);
    report.errors = std::move(loaded.errors);
    report.added = std::move(loaded.added);
    report.changed = std::move(loaded.changed);
    report.removed = std::move(loaded.removed);
    report.refused = std::move(loaded.refused);
    auto snapshot = build(loaded.tenants, report);
    // Before publishing: queues and metric cells of new tenants must exist.
    for (std::size_t i = attached_tenants_; i < registry_.size(); ++i) {
      register_tenant(static_cast<TenantIndex>(i));
    }
    attached_tenants_ = registry_.size();
    for (std::size_t i = 0; i < snapshot->tenants.size(); ++i) {
      if (snapshot->tenants[i].policy) {
        shards_->set_max_queue(static_cast<TenantIndex>(i), snapshot->tenants[i].limits.max_queue);
      }
    }
    holder_->publish(snapshot);
    for (const auto& id : report.added) {
      if (auto i = registry_.find(id)) metrics_->tenant_reload(*i, true);
    }
    for (const auto& id : report.changed) {
      if (auto i = registry_.find(id)) metrics_->tenant_reload(*i, true);
    }
    for (const auto& id : report.refused) {
      if (auto i = registry_.find(id)) metrics_->tenant_reload(*i, false);
    }
  }
  report.success = report.errors.empty();
  metrics_->reload_finished(report.success, std::chrono::system_clock::now());
  report.took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  return report;
}

}  // namespace alertgate
