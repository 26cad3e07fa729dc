// ConsumedMessage helpers: header lookup and the enriched-alert decode with its tenant check.
#include "alertgate/enriched_alert.hpp"
#include "alertgate/kafka/kafka_consumer.hpp"

namespace alertgate::kafka {

std::optional<std::string_view> ConsumedMessage::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

Result<Alert, DecodeError> ConsumedMessage::decode_alert() const {
  if (tenant_id.empty()) {
    return unexpected(
        DecodeError{DecodeError::kBodyError, 0, "topic \"" + topic + "\" does not name a tenant"});
  }
  auto alert = decode_enriched_alert(value);
  if (!alert.ok()) return alert;
  if (alert->tenant_id != tenant_id) {
    // The topic is what Kafka's ACLs let a producer write: it names the tenant, the value
    // only claims one.
    return unexpected(DecodeError{DecodeError::kBodyError, 0,
                                  "tenant_id \"" + alert->tenant_id + "\" does not match topic \"" +
                                      topic + "\" (tenant \"" + tenant_id + "\")"});
  }
  return alert;
}

}  // namespace alertgate::kafka
