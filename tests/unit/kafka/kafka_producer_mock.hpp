// Test helpers for the Kafka producer: a reader that fetches a topic's messages back from
// the mock cluster (MockKafka, tests/support/kafka_mock.hpp) and alerts to produce.
// Test thread only.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/kafka/kafka_producer.hpp"
#include "support/kafka_mock.hpp"

namespace alertgate::kafka::testing {

using alertgate::testing::MockKafka;
using alertgate::testing::poll_until;

struct Record {
  std::string topic;
  std::int32_t partition = -1;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// A plain consumer that assigns partitions itself (no group rebalance to wait for).
class TopicReader {
 public:
  explicit TopicReader(const std::string& bootstraps) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::pair<const char*, const char*> props[] = {{"bootstrap.servers", bootstraps.c_str()},
                                                         {"group.id", "kafka-producer-test"},
                                                         {"enable.auto.commit", "false"},
                                                         {"log_level", "4"}};
    for (const auto& [k, v] : props) {
      REQUIRE(rd_kafka_conf_set(conf, k, v, err, sizeof err) == RD_KAFKA_CONF_OK);
    }
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    REQUIRE(rk_ != nullptr);
    rd_kafka_poll_set_consumer(rk_);
  }
  ~TopicReader() {
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
  TopicReader(const TopicReader&) = delete;
  TopicReader& operator=(const TopicReader&) = delete;

  // Topic name -> partition count, from a fresh metadata request (all topics).
  std::map<std::string, int> topics() {
    const rd_kafka_metadata_t* md = nullptr;
    REQUIRE(rd_kafka_metadata(rk_, 1, nullptr, &md, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    std::map<std::string, int> out;
    for (int i = 0; i < md->topic_cnt; ++i) {
      if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        out[md->topics[i].topic] = md->topics[i].partition_cnt;
      }
    }
    rd_kafka_metadata_destroy(md);
    return out;
  }

  // Reads `count` messages from the start of `topic` (all partitions), within 20 s, and
  // then for a short while more so that extra messages would be seen too.
  std::vector<Record> read(const std::string& topic, std::size_t count) {
    const int partitions = topics().at(topic);
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) {
      rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    REQUIRE(rd_kafka_assign(rk_, list) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(list);
    std::vector<Record> out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    int idle_polls = 0;  // after `count`: 3 empty polls of 100 ms
    while (std::chrono::steady_clock::now() < deadline && idle_polls < 3) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100);
      if (m == nullptr) {
        if (out.size() >= count) ++idle_polls;
        continue;
      }
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) out.push_back(record(m));
      rd_kafka_message_destroy(m);
    }
    REQUIRE(rd_kafka_assign(rk_, nullptr) == RD_KAFKA_RESP_ERR_NO_ERROR);
    return out;
  }

 private:
  static Record record(const rd_kafka_message_t* m) {
    Record r;
    r.topic = rd_kafka_topic_name(m->rkt);
    r.partition = m->partition;
    r.key.assign(static_cast<const char*>(m->key), m->key_len);
    r.value.assign(static_cast<const char*>(m->payload), m->len);
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      for (size_t i = 0;
           rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        r.headers[name].assign(static_cast<const char*>(value), size);
      }
    }
    return r;
  }

  rd_kafka_t* rk_ = nullptr;
};

// A Producer on `cluster` with `s`'s other settings; fails the test if it cannot open.
inline std::unique_ptr<Producer> open_producer(const alertgate::testing::MockKafka& cluster,
                                               ProducerSettings s = {}) {
  s.brokers = cluster.bootstraps();
  s.properties["log_level"] = "2";  // broker-down tests: no "connection refused" lines
  auto producer = Producer::open(std::move(s));
  INFO((producer ? "" : producer.error().message));
  REQUIRE(producer.ok());
  return std::move(producer).value();
}

// An enriched alert as rating would leave it.
inline Alert make_alert(const std::string& tenant, std::uint64_t fingerprint, int n) {
  Alert a;
  a.labels = {{"alertname", "HighCPU"}, {"instance", "db" + std::to_string(n)}};
  a.annotations = {{"summary", "CPU > 90%"}};
  a.tenant_id = tenant;
  a.severity = Severity::critical;
  a.rating = static_cast<std::uint8_t>(50 + n % 50);
  a.fingerprint = fingerprint;
  a.alert_id = "01HZX" + std::to_string(1000000 + n);
  a.trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  a.received_at = TimePoint{} + std::chrono::seconds(1'700'000'000 + n);
  return a;
}

}  // namespace alertgate::kafka::testing
