#include "alertgate/http_server.hpp"
#include "alertgate/json_text.hpp"

namespace alertgate::http {

Response json_response(unsigned status, std::string body) {
  Response res{static_cast<boost::beast::http::status>(status), 11};
  res.set(boost::beast::http::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

Response json_error(unsigned status, std::string_view code, std::string_view message) {
  std::string body;
  body.reserve(64 + message.size());
  body.append("{\"error\":");
  append_json_string(body, code);
  body.append(",\"message\":");
  append_json_string(body, message);
  body.append("}");
  return json_response(status, std::move(body));
}

}  // namespace alertgate::http
