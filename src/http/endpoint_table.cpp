#include <algorithm>

#include "alertgate/http_server.hpp"

namespace alertgate::http {

void EndpointTable::add(Verb method, std::string path, Handler handler) {
  auto it = std::find(paths_.begin(), paths_.end(), path);
  std::size_t index = static_cast<std::size_t>(it - paths_.begin());
  if (it == paths_.end()) paths_.push_back(std::move(path));
  routes_.push_back(Route{method, index, std::move(handler)});
}

EndpointTable::Match EndpointTable::find(Verb method, std::string_view target) const {
  // The query string does not select the endpoint.
  const auto path = target.substr(0, target.find('?'));
  Match m;
  auto it = std::find(paths_.begin(), paths_.end(), path);
  if (it == paths_.end()) {
    m.status = 404;
    m.endpoint = paths_.size();  // "other"
    return m;
  }
  m.endpoint = static_cast<std::size_t>(it - paths_.begin());
  for (const auto& r : routes_) {
    if (r.endpoint != m.endpoint) continue;
    if (r.method == method) {
      m.handler = &r.handler;
      return m;
    }
    if (!m.allow.empty()) m.allow.append(", ");
    m.allow.append(boost::beast::http::to_string(r.method));
  }
  m.status = 405;
  return m;
}

std::vector<std::string> EndpointTable::paths() const {
  auto out = paths_;
  out.emplace_back("other");
  return out;
}

}  // namespace alertgate::http
