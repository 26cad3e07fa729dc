// Admin endpoints: the bearer token whose SHA-256 is the main config's `admin_token`
// guards them (401 for a wrong or missing token, 403 when none is configured).
// (the dead-letter endpoints are in dead_letter_admin.hpp)
// Thread: the reactor's.
#pragma once

#include <optional>

#include "alertgate/http_server.hpp"
#include "alertgate/policy_snapshot.hpp"

namespace alertgate {

// nullopt when the request carries the admin token of `snapshot`, else the error to send.
std::optional<http::Response> check_admin(const http::Request& req, const PolicySnapshot& snapshot);

// The value of `name` in the target's query string ("" when absent); no percent-decoding
// beyond what tenant ids and numbers need (they contain none).
std::string_view query_param(std::string_view target, std::string_view name);

}  // namespace alertgate
