// ReloadService: runs policy reloads on the control thread, whoever asks — SIGHUP, the
// tenants_dir watch, or `POST /-/reload` (bearer token = the main config's admin_token).
// The endpoint answers after the reload finished, with the report as JSON: 200 when every
// file applied, 400 when something was refused (what applied still applied), 401/403 for
// a wrong or unconfigured admin token.
//
// Threads: reload() and the callbacks on the control io_context; the handler runs on a
// reactor, hands the work to the control thread and answers back on that reactor.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "alertgate/http_server.hpp"
#include "alertgate/policy_snapshot.hpp"
#include "policy_manager.hpp"

namespace alertgate {

class ReloadService {
 public:
  ReloadService(boost::asio::io_context& control, PolicyManager& policy,
                const SnapshotHolder& snapshots)
      : control_(control), policy_(policy), snapshots_(snapshots) {}

  // Control thread. Logs the outcome.
  ReloadReport reload(std::string_view trigger);
  // Control thread: runs after every reload.
  void on_reload(std::function<void()> f) { after_.push_back(std::move(f)); }

  // The POST /-/reload handler for the reactor running `reactor`.
  http::Handler handler(boost::asio::io_context& reactor);

 private:
  boost::asio::io_context& control_;
  PolicyManager& policy_;
  const SnapshotHolder& snapshots_;
  std::vector<std::function<void()>> after_;
};

}  // namespace alertgate
