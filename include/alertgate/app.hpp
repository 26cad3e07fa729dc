// App: wires every stage from the loaded settings and runs the daemon until SIGTERM/SIGINT.
// The only place that knows about threads besides the shards: one reactor thread per
// `threads`, plus the calling (control) thread for signals and shutdown.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alertgate/main_config.hpp"
#include "alertgate/tenant_policy.hpp"

namespace alertgate {

struct ServeOptions {
  std::filesystem::path port_file;    // when set, the bound port is written there
  std::filesystem::path config_path;  // re-read on reload; empty = never re-read
  bool listen_from_cli = false;       // config.listen came from --listen: reloads keep it
};

// Loads the tenants of config.tenants_dir (a tenant file that fails validation is logged
// and left out; the others serve), then runs until a stop signal; returns the process exit
// code (0 after a clean shutdown).
int serve(const MainConfig& config, const ServeOptions& options);

}  // namespace alertgate
