#include "reload_service.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>

#include "admin_endpoints.hpp"
#include "alertgate/log.hpp"
#include "alertgate/token_table.hpp"

namespace alertgate {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

ReloadReport ReloadService::reload(std::string_view trigger) {
  ReloadReport report = policy_.reload();
  auto emit = [&](LogLevel level, std::string_view msg) {
    log::write(level, msg,
               {{"trigger", trigger},
                {"generation", report.generation},
                {"tenants", report.tenants},
                {"added", report.added.size()},
                {"changed", report.changed.size()},
                {"removed", report.removed.size()},
                {"refused", report.refused.size()},
                {"took_us", static_cast<long long>(report.took.count())}});
  };
  for (const auto& e : report.errors) log::error("reload: refused", {{"error", to_string(e)}});
  for (const auto& w : report.warnings) log::warn("reload: ignored", {{"warning", w}});
  if (report.success) {
    emit(LogLevel::info, "reload: applied");
  } else if (report.main_config_refused) {
    emit(LogLevel::error, "reload: main config invalid, nothing changed");
  } else {
    emit(LogLevel::warn, "reload: applied with refused files");
  }
  for (auto& f : after_) f();
  return report;
}

http::Handler ReloadService::handler(asio::io_context& reactor) {
  return [this, &reactor](http::Request& req, http::Reply reply) {
    if (auto refused = check_admin(req, *snapshots_.load())) {
      return reply.send(std::move(*refused));
    }
    asio::post(control_, [this, &reactor, reply = std::move(reply)]() mutable {
      const ReloadReport report = reload("POST /-/reload");
      asio::post(reactor, [reply = std::move(reply), status = report.success ? 200u : 400u,
                           body = report.to_json()]() mutable {
        reply.send(http::json_response(status, std::move(body)));
      });
    });
  };
}

}  // namespace alertgate
