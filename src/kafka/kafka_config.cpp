#include "alertgate/kafka/kafka_config.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace alertgate::kafka {

Result<ConfPtr> make_conf(const Properties& defaults, const Properties& overrides,
                          std::string_view where) {
  ConfPtr conf(rd_kafka_conf_new());
  std::array<char, 512> err{};
  auto apply = [&](const Properties& props, std::string_view prefix) -> std::optional<Error> {
    for (const auto& [name, value] : props) {
      if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), err.data(), err.size()) !=
          RD_KAFKA_CONF_OK) {
        return Error{std::string(prefix) + "." + name + ": " + err.data()};
      }
    }
    return std::nullopt;
  };
  if (auto e = apply(defaults, "defaults")) return unexpected(std::move(*e));
  if (auto e = apply(overrides, where)) return unexpected(std::move(*e));
  return conf;
}

bool valid_topic_name(std::string_view topic) {
  if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") return false;
  return std::all_of(topic.begin(), topic.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

Result<std::string> topic_for(std::string_view pattern, std::string_view tenant_id) {
  constexpr std::string_view kPlaceholder = "{tenant_id}";
  const auto at = pattern.find(kPlaceholder);
  if (at == std::string_view::npos) {
    return unexpected(Error{"topic pattern \"" + std::string(pattern) +
                            "\" has no {tenant_id}: every tenant would share one topic"});
  }
  std::string topic(pattern.substr(0, at));
  topic.append(tenant_id);
  topic.append(pattern.substr(at + kPlaceholder.size()));
  if (!valid_topic_name(topic)) {
    return unexpected(Error{"tenant \"" + std::string(tenant_id) + "\": topic \"" + topic +
                            "\" is not a valid Kafka topic name (1..249 of [a-zA-Z0-9._-])"});
  }
  return topic;
}

}  // namespace alertgate::kafka
