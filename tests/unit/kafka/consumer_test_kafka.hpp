// Test helpers for the Kafka consumer tests: an in-process librdkafka mock cluster
// (127.0.0.1, random ports) with a producer, a view of a group's committed offsets, and
// poll_until (bounded waits).
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>

namespace alertgate::test {

using namespace std::chrono_literals;

class MockKafka {
 public:
  MockKafka() {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr);
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    REQUIRE(owner_ != nullptr);
    cluster_ = rd_kafka_mock_cluster_new(owner_, 1);
    REQUIRE(cluster_ != nullptr);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);

    conf = rd_kafka_conf_new();
    REQUIRE(rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps_.c_str(), errstr,
                              sizeof errstr) == RD_KAFKA_CONF_OK);
    REQUIRE(rd_kafka_conf_set(conf, "linger.ms", "5", errstr, sizeof errstr) == RD_KAFKA_CONF_OK);
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    REQUIRE(producer_ != nullptr);
  }
  ~MockKafka() {
    for (auto& [group, rk] : viewers_) rd_kafka_destroy(rk);
    rd_kafka_destroy(producer_);
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(owner_);
  }
  MockKafka(const MockKafka&) = delete;
  MockKafka& operator=(const MockKafka&) = delete;

  const std::string& bootstraps() const { return bootstraps_; }

  void create_topic(const std::string& topic, int partitions) {
    REQUIRE(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1) ==
            RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  void produce(const std::string& topic, std::int32_t partition, const std::string& key,
               const std::string& value) {
    const std::string tenant = "header-tenant";
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_HEADER("tenant_id", tenant.data(), static_cast<ssize_t>(tenant.size())),
        RD_KAFKA_V_HEADER("rating", "92", 2), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_END);
    REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void flush() { REQUIRE(rd_kafka_flush(producer_, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR); }

  // The group's committed offset of topic/partition as the broker has it (-1001 = none).
  std::int64_t committed(const std::string& group, const std::string& topic,
                         std::int32_t partition) {
    rd_kafka_t*& rk = viewers_[group];
    if (rk == nullptr) {
      char errstr[512];
      rd_kafka_conf_t* conf = rd_kafka_conf_new();
      rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps_.c_str(), errstr, sizeof errstr);
      rd_kafka_conf_set(conf, "group.id", group.c_str(), errstr, sizeof errstr);
      rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
      REQUIRE(rk != nullptr);
    }
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
    std::int64_t offset = -2;
    if (rd_kafka_committed(rk, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        list->elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      offset = list->elems[0].offset;
    }
    rd_kafka_topic_partition_list_destroy(list);
    return offset;
  }

 private:
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  std::string bootstraps_;
  std::map<std::string, rd_kafka_t*> viewers_;
};

template <typename F>
inline bool poll_until(F&& ok, std::chrono::milliseconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!ok()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

}  // namespace alertgate::test
