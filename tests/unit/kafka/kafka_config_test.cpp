#include "alertgate/kafka/kafka_config.hpp"

#include <catch2/catch.hpp>

using namespace alertgate::kafka;

TEST_CASE("make_conf applies defaults, then the user's properties, and names a bad one") {
  auto ok = make_conf({{"linger.ms", "5"}}, {{"linger.ms", "20"}, {"compression.type", "zstd"}});
  REQUIRE(ok.ok());
  char value[64];
  size_t size = sizeof value;
  REQUIRE(rd_kafka_conf_get(ok->get(), "linger.ms", value, &size) == RD_KAFKA_CONF_OK);
  CHECK(std::string(value) == "20");

  auto unknown = make_conf({}, {{"lingr.ms", "5"}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message.find("kafka.properties.lingr.ms:") == 0);

  auto invalid = make_conf({}, {{"acks", "sometimes"}});
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.error().message.find("kafka.properties.acks:") == 0);
}

TEST_CASE("topic_for keeps every tenant in its own valid topic") {
  CHECK(topic_for("alerts-{tenant_id}", "t-1024").value() == "alerts-t-1024");
  CHECK(topic_for("{tenant_id}.alerts", "acme").value() == "acme.alerts");
  CHECK_FALSE(topic_for("alerts", "acme").ok());             // no placeholder
  CHECK_FALSE(topic_for("alerts-{tenant_id}", "a/b").ok());  // not a topic character
  CHECK_FALSE(topic_for("alerts-{tenant_id}", "a b").ok());
  CHECK_FALSE(topic_for("{tenant_id}", "..").ok());
  CHECK_FALSE(topic_for("alerts-{tenant_id}", std::string(250, 'x')).ok());
  CHECK(valid_topic_name("alerts-t_1.x"));
  CHECK_FALSE(valid_topic_name(""));
}
