// MockKafka: an in-process librdkafka mock cluster (127.0.0.1, random ports) for the unit
// tests of the Kafka producer, consumer and probe, with what those tests do to it: create
// topics, put messages in (through a producer made on the first produce()), read a consumer
// group's committed offsets, take every broker down and up again.
// poll_until(): waits for a condition with a deadline (no sleep as synchronisation).
// Test thread only; a failure is a Catch2 REQUIRE failure.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace alertgate::testing {

class MockKafka {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  // `producer_linger_ms`: linger.ms of the producer behind produce() ("0": each message is
  // sent at once, for tests that measure latency).
  explicit MockKafka(int brokers = 1, std::string producer_linger_ms = "5")
      : brokers_(brokers), linger_ms_(std::move(producer_linger_ms)) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr);  // no "no brokers" notice
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    REQUIRE(owner_ != nullptr);
    cluster_ = rd_kafka_mock_cluster_new(owner_, brokers);
    REQUIRE(cluster_ != nullptr);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  }
  ~MockKafka() {
    for (auto& [group, rk] : viewers_) rd_kafka_destroy(rk);
    if (producer_ != nullptr) rd_kafka_destroy(producer_);
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

  // Every broker unreachable (down) or back (up).
  void set_all_down(bool down) {
    for (int id = 1; id <= brokers_; ++id) {
      REQUIRE((down ? rd_kafka_mock_broker_set_down(cluster_, id)
                    : rd_kafka_mock_broker_set_up(cluster_, id)) == RD_KAFKA_RESP_ERR_NO_ERROR);
    }
  }

  // Queues one message (copied); flush() waits until all are written.
  // `partition` RD_KAFKA_PARTITION_UA: the partitioner picks; `key` empty: no key.
  void produce(const std::string& topic, std::int32_t partition, const std::string& key,
               const std::string& value, const Headers& headers = {}) {
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const auto& [name, v] : headers) {
        rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), v.data(),
                            static_cast<ssize_t>(v.size()));
      }
    }
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_HEADERS(hdrs),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
    REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void produce(const std::string& topic, const std::string& value) {
    produce(topic, RD_KAFKA_PARTITION_UA, "", value);
  }
  void flush() { REQUIRE(rd_kafka_flush(producer(), 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR); }

  // The group's committed offset of topic/partition as the broker has it (-1001 = none,
  // -2 = the request failed).
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
  rd_kafka_t* producer() {
    if (producer_ != nullptr) return producer_;
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    REQUIRE(rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps_.c_str(), errstr,
                              sizeof errstr) == RD_KAFKA_CONF_OK);
    REQUIRE(rd_kafka_conf_set(conf, "linger.ms", linger_ms_.c_str(), errstr, sizeof errstr) ==
            RD_KAFKA_CONF_OK);
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    REQUIRE(producer_ != nullptr);
    return producer_;
  }

  int brokers_;
  std::string linger_ms_;
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  std::string bootstraps_;
  std::map<std::string, rd_kafka_t*> viewers_;
};

// Polls `done` every 5 ms until it is true (returns true) or `limit` has passed (false).
template <typename F>
bool poll_until(F&& done, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace alertgate::testing
