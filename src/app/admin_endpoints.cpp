#include "admin_endpoints.hpp"

#include <openssl/crypto.h>

#include <boost/beast/http/field.hpp>

#include "alertgate/token_table.hpp"

namespace alertgate {

namespace bhttp = boost::beast::http;

std::optional<http::Response> check_admin(const http::Request& req,
                                          const PolicySnapshot& snapshot) {
  if (!snapshot.admin_token) {
    return http::json_error(403, "forbidden",
                            "no admin_token in the main config: admin endpoints are off");
  }
  const auto it = req.find(bhttp::field::authorization);
  const auto token =
      bearer_token(it == req.end() ? std::string_view{} : std::string_view(it->value()));
  // Constant-time compare, like tenant tokens.
  if (!token || CRYPTO_memcmp(sha256(*token).data(), snapshot.admin_token->data(),
                              snapshot.admin_token->size()) != 0) {
    auto res = http::json_error(401, "unauthorized", "this endpoint needs the admin token");
    res.set(bhttp::field::www_authenticate, "Bearer realm=\"alertgate\"");
    return res;
  }
  return std::nullopt;
}

std::string_view query_param(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace alertgate
