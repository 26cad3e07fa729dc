// The producer's poll thread: the only place delivery reports, client errors and
// topic-creation results are served, so no reactor ever calls into librdkafka's queues.
#include <array>
#include <chrono>

#include "alertgate/log.hpp"
#include "kafka/kafka_producer_impl.hpp"

namespace alertgate::kafka {

namespace {

// While no broker is known to be reachable, a metadata request every kProbeInterval tells
// when one is back (librdkafka reports "all brokers down" but not the way back up); it may
// hold the poll thread for kProbeTimeout, when there are no reports to serve anyway.
constexpr auto kProbeInterval = std::chrono::milliseconds(500);
constexpr int kProbeTimeoutMs = 500;
constexpr int kPollTimeoutMs = 100;  // stop() also wakes the queue

}  // namespace

bool retriable_error(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__INVALID_ARG: return false;
    default: return true;
  }
}

void Producer::Impl::poll_loop() {
  auto next_probe = std::chrono::steady_clock::now();
  while (!stopping.load(std::memory_order_acquire)) {
    const auto now = std::chrono::steady_clock::now();
    if (!reachable.load(std::memory_order_relaxed) && now >= next_probe) {
      probe();
      next_probe = std::chrono::steady_clock::now() + kProbeInterval;
    }
    if (rd_kafka_event_t* event = rd_kafka_queue_poll(main_queue, kPollTimeoutMs)) {
      handle(event);
      rd_kafka_event_destroy(event);
    }
  }
}

void Producer::Impl::handle(rd_kafka_event_t* event) {
  switch (rd_kafka_event_type(event)) {
    case RD_KAFKA_EVENT_DR: on_delivery(event); break;
    case RD_KAFKA_EVENT_ERROR: on_error(event); break;
    case RD_KAFKA_EVENT_CREATETOPICS_RESULT:
      if (topics) topics->on_result(event, std::chrono::steady_clock::now());
      break;
    default: break;
  }
}

void Producer::Impl::on_delivery(rd_kafka_event_t* event) {
  while (const rd_kafka_message_t* m = rd_kafka_event_message_next(event)) {
    std::unique_ptr<DeliveryDone> done(static_cast<DeliveryDone*>(m->_private));
    DeliveryReport report;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      report.delivered = true;
      report.partition = m->partition;
      report.offset = m->offset;
      delivered.fetch_add(1, std::memory_order_relaxed);
      reachable.store(true, std::memory_order_relaxed);
    } else if (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
               m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
      report.retriable = true;
      report.reason = "stopped";
      failed.fetch_add(1, std::memory_order_relaxed);
    } else {
      report.retriable = retriable_error(m->err);
      report.reason = rd_kafka_err2str(m->err);
      failed.fetch_add(1, std::memory_order_relaxed);
    }
    in_flight.fetch_sub(1, std::memory_order_relaxed);
    if (done && *done) (*done)(report);
  }
}

void Producer::Impl::on_error(rd_kafka_event_t* event) {
  const rd_kafka_resp_err_t err = rd_kafka_event_error(event);
  if (rd_kafka_event_error_is_fatal(event)) {
    std::array<char, 512> text{};
    const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, text.data(), text.size());
    fatal.store(true, std::memory_order_relaxed);
    log::error("kafka producer: fatal error, restart needed",
               {{"error", rd_kafka_err2name(cause)}, {"reason", text.data()}});
    return;
  }
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    if (reachable.exchange(false, std::memory_order_relaxed)) {
      log::warn("kafka producer: all brokers down, alerts wait in the local queue",
                {{"reason", rd_kafka_event_error_string(event)}});
    }
    return;
  }
  // Connection drops and the like: librdkafka retries them itself.
  log::debug("kafka producer: client error",
             {{"error", rd_kafka_err2name(err)}, {"reason", rd_kafka_event_error_string(event)}});
}

void Producer::Impl::probe() {
  const rd_kafka_metadata_t* md = nullptr;
  // all_topics=0 without a topic: only the brokers and the topics already in use.
  if (rd_kafka_metadata(rk, 0, nullptr, &md, kProbeTimeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_metadata_destroy(md);
    if (!reachable.exchange(true, std::memory_order_relaxed)) {
      log::info("kafka producer: broker reachable");
    }
  }
}

}  // namespace alertgate::kafka
