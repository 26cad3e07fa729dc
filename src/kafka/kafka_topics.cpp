#include "kafka/kafka_topics.hpp"

#include <algorithm>
#include <array>
#include <memory>

#include "alertgate/log.hpp"

namespace alertgate::kafka {

namespace {

// The broker waits this long for the new topic's partitions to have leaders before it
// answers, so a "created" topic is usable by the time the result arrives.
constexpr int kOperationTimeoutMs = 5000;
constexpr auto kFirstBackoff = std::chrono::seconds(1);
constexpr auto kMaxBackoff = std::chrono::seconds(60);

struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const noexcept { rd_kafka_NewTopic_destroy(t); }
};
using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter>;

// rd_kafka_NewTopic_new checks the numbers; the error text is librdkafka's.
Result<NewTopicPtr> new_topic(const std::string& name, const TopicProvisioning& p) {
  std::array<char, 256> err{};
  NewTopicPtr topic(rd_kafka_NewTopic_new(name.c_str(), p.partitions, p.replication_factor,
                                          err.data(), err.size()));
  if (!topic) return unexpected(Error{std::string("kafka.create_topics: ") + err.data()});
  for (const auto& [key, value] : p.config) {
    if (rd_kafka_NewTopic_set_config(topic.get(), key.c_str(), value.c_str()) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      return unexpected(Error{"kafka.create_topics.config." + key + ": refused"});
    }
  }
  return topic;
}

}  // namespace

std::optional<Error> TopicProvisioner::check(const TopicProvisioning& p) {
  if (p.partitions == 0 || p.partitions < -1) {
    return Error{"kafka.create_topics.partitions: must be >= 1 (or -1: broker default)"};
  }
  if (p.timeout < std::chrono::milliseconds(100)) {
    return Error{"kafka.create_topics.timeout: must be >= 100 ms"};
  }
  if (p.replication_factor == 0 || p.replication_factor < -1) {
    return Error{"kafka.create_topics.replication_factor: must be >= 1 (or -1: broker default)"};
  }
  for (const auto& [key, value] : p.config) {
    if (key.empty()) return Error{"kafka.create_topics.config: empty topic config name"};
  }
  auto probe = new_topic("alerts-check", p);
  if (!probe) return probe.error();
  return std::nullopt;
}

TopicProvisioner::TopicProvisioner(rd_kafka_t* rk, rd_kafka_queue_t* results, TopicProvisioning p,
                                   Sender send)
    : rk_(rk), results_(results), provisioning_(std::move(p)), send_(std::move(send)) {}

TopicProvisioner::~TopicProvisioner() {
  // stop() released everything; this only runs for messages held after that (none).
  for (auto& [topic, e] : topics_) {
    for (Held& h : e.held) {
      rd_kafka_headers_destroy(h.headers);
      const std::unique_ptr<DeliveryDone> done(h.done);
      DeliveryReport report;
      report.retriable = true;
      report.reason = "stopped";
      if (*done) (*done)(report);
    }
  }
}

TopicProvisioner::Admit TopicProvisioner::admit(const OutMessage& m, Clock::time_point now) {
  bool request_now = false;
  bool held = false;
  {
    std::lock_guard lock(mutex_);
    auto it = topics_.find(m.topic);
    if (it == topics_.end()) {
      it = topics_.try_emplace(m.topic).first;
      request_now = true;
    } else if (it->second.state == State::ready) {
      return Admit::send;
    } else if (it->second.state == State::failed) {
      // A retry: the topic has been in use since the failure, its messages go on meanwhile.
      if (now < it->second.retry_at) return Admit::send;
      it->second.state = State::pending;
      it->second.hold = false;
      request_now = true;
    }
    Entry& e = it->second;
    if (e.hold) {
      if (e.held.size() >= kMaxHeldPerTopic) return Admit::full;
      e.held.push_back(Held{m.key, std::string(m.value), m.headers, m.done});
      held = true;
    }
  }
  if (request_now) request(m.topic);
  return held ? Admit::held : Admit::send;
}

void TopicProvisioner::release(const std::string& topic, Entry& e) {
  std::vector<Held> held;
  held.swap(e.held);
  for (Held& h : held) send_(OutMessage{topic.c_str(), h.key, h.value, h.headers, h.done});
}

void TopicProvisioner::release_all() {
  std::lock_guard lock(mutex_);
  for (auto& [topic, e] : topics_) release(topic, e);
}

void TopicProvisioner::request(const std::string& topic) {
  auto nt = new_topic(topic, provisioning_);
  if (!nt) {  // check() accepted these numbers: only an invalid name can land here
    errors_.fetch_add(1, std::memory_order_relaxed);
    log::error("kafka topic creation refused", {{"topic", topic}, {"error", nt.error().message}});
    std::lock_guard lock(mutex_);
    Entry& e = topics_[topic];
    e.state = State::failed;
    e.retry_at = Clock::time_point::max();
    release(topic, e);
    return;
  }
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk_, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  std::array<char, 256> err{};
  const int request_ms = static_cast<int>(provisioning_.timeout.count());
  rd_kafka_AdminOptions_set_operation_timeout(
      options, std::min(kOperationTimeoutMs, request_ms / 2), err.data(), err.size());
  rd_kafka_AdminOptions_set_request_timeout(options, request_ms, err.data(), err.size());
  // The topic name travels with the request: a request-level error (timeout, no broker)
  // carries no per-topic result to read it from.
  rd_kafka_AdminOptions_set_opaque(options, new std::string(topic));
  rd_kafka_NewTopic_t* raw = nt->get();
  rd_kafka_CreateTopics(rk_, &raw, 1, options, results_);
  rd_kafka_AdminOptions_destroy(options);
}

void TopicProvisioner::on_result(rd_kafka_event_t* event, Clock::time_point now) {
  std::unique_ptr<std::string> topic(static_cast<std::string*>(rd_kafka_event_opaque(event)));
  if (!topic) return;
  rd_kafka_resp_err_t err = rd_kafka_event_error(event);
  std::string reason = err ? rd_kafka_event_error_string(event) : "";
  if (!err) {
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
    std::size_t count = 0;
    const rd_kafka_topic_result_t** topics =
        result ? rd_kafka_CreateTopics_result_topics(result, &count) : nullptr;
    for (std::size_t i = 0; i < count; ++i) {
      if (*topic != rd_kafka_topic_result_name(topics[i])) continue;
      err = rd_kafka_topic_result_error(topics[i]);
      const char* text = rd_kafka_topic_result_error_string(topics[i]);
      reason = text ? text : rd_kafka_err2str(err);
    }
  }
  const bool ok = !err || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS;
  std::lock_guard lock(mutex_);
  Entry& e = topics_[*topic];
  if (ok) {
    e.state = State::ready;
    e.failures = 0;
    created_.fetch_add(1, std::memory_order_relaxed);
    release(*topic, e);
    return;
  }
  e.state = State::failed;
  const auto backoff =
      std::min<Clock::duration>(kFirstBackoff * (1LL << std::min(e.failures, 6)), kMaxBackoff);
  ++e.failures;
  e.retry_at = now + backoff;
  errors_.fetch_add(1, std::memory_order_relaxed);
  release(*topic, e);  // the topic may exist anyway; else librdkafka fails them, retriable
  log::warn("kafka topic creation failed",
            {{"topic", *topic},
             {"error", reason},
             {"retry_in_ms",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(backoff).count())}});
}

}  // namespace alertgate::kafka
