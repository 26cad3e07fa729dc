// alertgate: multi-tenant alert gateway. `alertgate --help` lists the commands.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "alertgate/app.hpp"
#include "alertgate/log.hpp"
#include "alertgate/main_config.hpp"
#include "alertgate/tenant_policy.hpp"
#include "app/bench_command.hpp"

#ifndef ALERTGATE_VERSION
#define ALERTGATE_VERSION "dev"
#endif

namespace {

using namespace alertgate;

constexpr int kExitConfig = 1;

// Loads the main config and every tenant; prints every problem as file:line:col: message.
bool load_all(const std::string& config_path, const std::string& listen_override,
              MainConfig& config, TenantSet& tenants) {
  auto loaded = load_main_config_file(config_path);
  if (!loaded) {
    for (const auto& e : loaded.error()) std::cerr << to_string(e) << "\n";
    return false;
  }
  config = std::move(loaded).value();
  if (!listen_override.empty()) {
    auto addr = parse_listen_address(listen_override);
    if (!addr) {
      std::cerr << "--listen: " << addr.error().message << "\n";
      return false;
    }
    config.listen = {*addr};
  }
  tenants = load_tenants_dir(config.tenants_dir);
  for (const auto& e : tenants.errors) std::cerr << to_string(e) << "\n";
  return tenants.errors.empty();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"alertgate: multi-tenant alert gateway"};
  cli.require_subcommand(1);

  std::string config_path = "config/alertgate.yaml";
  std::string listen;
  std::string port_file;
  auto* serve_cmd = cli.add_subcommand("serve", "Run the daemon");
  serve_cmd->add_option("--config,-c", config_path, "Main config file")->capture_default_str();
  serve_cmd->add_option("--listen", listen, "HOST:PORT to listen on instead of the config's");
  serve_cmd->add_option("--port-file", port_file, "Write the bound port to this file");

  auto* check_cmd = cli.add_subcommand("check-config", "Validate the config and every tenant");
  check_cmd->add_option("--config,-c", config_path, "Main config file")->capture_default_str();
  bool strict = false;
  check_cmd->add_flag("--strict", strict, "Exit 1 on warnings too (e.g. unreachable rules)");

  BenchCli bench;
  auto* bench_cmd = add_bench_command(cli, bench);

  cli.add_subcommand("version", "Print the version");

  CLI11_PARSE(cli, argc, argv);

  if (cli.got_subcommand(bench_cmd)) return run_bench_command(bench);
  if (cli.got_subcommand("version")) {
    std::cout << "alertgate " << ALERTGATE_VERSION << "\n";
    return 0;
  }

  MainConfig config;
  TenantSet tenants;
  if (cli.got_subcommand(check_cmd)) {
    if (!load_all(config_path, "", config, tenants)) return kExitConfig;
    // Warnings (file:line:col: warning: ...) do not fail the check unless --strict.
    std::size_t warnings = 0;
    for (const TenantPolicy& t : tenants.tenants) {
      for (const auto& w : lint_tenant_policy(t, {.smtp_configured = !config.smtp.url.empty()})) {
        std::cerr << to_string(w) << "\n";
        ++warnings;
      }
    }
    std::cout << config_path << ": ok, " << tenants.tenants.size() << " tenant(s) in "
              << config.tenants_dir.string();
    if (warnings > 0) std::cout << ", " << warnings << " warning(s)";
    std::cout << "\n";
    return strict && warnings > 0 ? kExitConfig : 0;
  }

  auto loaded = load_main_config_file(config_path);
  if (!loaded) {
    for (const auto& e : loaded.error()) std::cerr << to_string(e) << "\n";
    log::error("invalid configuration; see the lines above", {{"config", config_path}});
    return kExitConfig;
  }
  config = std::move(loaded).value();
  if (!listen.empty()) {
    auto addr = parse_listen_address(listen);
    if (!addr) {
      std::cerr << "--listen: " << addr.error().message << "\n";
      return kExitConfig;
    }
    config.listen = {*addr};
  }
  log::set_level(config.log_level);
  try {
    return serve(config, ServeOptions{port_file, config_path, !listen.empty()});
  } catch (const std::exception& e) {
    log::error("fatal", {{"error", e.what()}});
    return 1;
  }
}
