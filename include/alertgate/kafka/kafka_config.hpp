// Kafka client configuration shared by the producer (ingest mode, `kafka` destination) and
// the consumer (router mode): librdkafka property maps turned into an rd_kafka_conf_t,
// every property checked by librdkafka itself so an unknown or invalid one is a clear
// start-up error instead of a surprise at run time.
//
// Pure functions; any thread.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "alertgate/result.hpp"

namespace alertgate::kafka {

// librdkafka properties by name (`bootstrap.servers`, `linger.ms`, ...), as strings.
using Properties = std::map<std::string, std::string, std::less<>>;

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const noexcept { rd_kafka_conf_destroy(c); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

// Applies `defaults`, then `overrides` (the user's `kafka.properties`, which win), to a new
// conf. The error names the property and says why, prefixed with `where` for overrides
// (e.g. "kafka.properties.linger.ms: ..."); a default that librdkafka refuses is a bug
// and reported the same way with "defaults".
Result<ConfPtr> make_conf(const Properties& defaults, const Properties& overrides,
                          std::string_view where = "kafka.properties");

// A Kafka topic name is 1..249 characters of [a-zA-Z0-9._-] and not "." or "..".
bool valid_topic_name(std::string_view topic);

// Expands `pattern` ("alerts-{tenant_id}") for `tenant_id`. Fails when the pattern has no
// "{tenant_id}" or the result is not a valid topic name (so no tenant id can name another
// tenant's topic: the characters that could are refused).
Result<std::string> topic_for(std::string_view pattern, std::string_view tenant_id);

}  // namespace alertgate::kafka
