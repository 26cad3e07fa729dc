#include "alertgate/kafka/kafka_producer.hpp"

#include <sys/types.h>

#include <array>
#include <charconv>
#include <utility>

#include "alertgate/alert_json.hpp"
#include "alertgate/log.hpp"
#include "kafka/kafka_producer_impl.hpp"

namespace alertgate::kafka {

namespace {

// librdkafka syslog levels -> ours. Runs on librdkafka's threads; log::write is thread-safe.
void on_log(const rd_kafka_t* /*rk*/, int level, const char* facility, const char* text) {
  const LogLevel ours = level <= 3   ? LogLevel::error
                        : level == 4 ? LogLevel::warn
                        : level <= 6 ? LogLevel::info
                                     : LogLevel::debug;
  if (ours < log::level()) return;
  log::write(ours, "librdkafka", {{"facility", facility}, {"text", text}});
}

void key_hex(std::uint64_t fp, std::array<char, 16>& out) {  // fingerprint_hex, no allocation
  constexpr std::string_view kDigits = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[fp & 0xf];
    fp >>= 4;
  }
}

void add_header(rd_kafka_headers_t* headers, const char* name, std::string_view value) {
  rd_kafka_header_add(headers, name, -1, value.data(), static_cast<ssize_t>(value.size()));
}

}  // namespace

const Properties& Producer::default_properties() {
  // Measured: tests/unit/kafka/kafka_producer_bench_test.cpp ("[kafka-bench]", closed loop
  // against the in-process mock cluster, 2-core box shared with other work; src/kafka/README.md
  // has the table) and lz4/zstd CLIs on enriched-alert JSON batches.
  static const Properties kDefaults = {
      // Idempotent + acks=all: a broker retry never duplicates or reorders a partition, and
      // "delivered" means every in-sync replica has it (durability: kafka acks on that).
      {"enable.idempotence", "true"},
      {"acks", "all"},
      // lz4: alert JSON batches shrink 3.7x with lz4 vs 6.6x with zstd (level 3), but lz4
      // costs ~2.5x less CPU (>=340 vs >=136 MB/s, one core): at 45k alerts/s (~25 MB/s of
      // JSON) ~7% of a core instead of ~18% on a 2-core box shared with the reactors.
      // Throughput against the mock was the same within noise. zstd is one property away
      // where broker storage or network costs more than producer CPU.
      {"compression.type", "lz4"},
      // 1 ms: with durability: kafka each request waits for its report, so linger caps a
      // closed loop at clients/linger: 256 one-alert clients reach ~45k alerts/s at 5 ms (the
      // target, no headroom), 150-160k at 1 ms (p99 < 4 ms), 120-560k at 0 but erratic (p99 up
      // to 48 ms) and 100-alert requests fell to 59-127k at 0 vs 214-360k at 1 (4 runs).
      {"linger.ms", "1"},
      // Upper bounds of one partition's batch (librdkafka's values, explicit here): linger
      // decides the batch; a 100-alert request fits one batch per partition.
      {"batch.num.messages", "10000"},
      {"batch.size", "1000000"},
      // Bound the local queue (broker outage): 100k alerts or 128 MiB, then produce()
      // answers "queue full" (retriable) and ingest pushes back with 503/429.
      {"queue.buffering.max.messages", "100000"},
      {"queue.buffering.max.kbytes", "131072"},
      // A returning broker is reconnected within 1 s (librdkafka's default backs off to 10 s),
      // so healthy() and /-/ready recover promptly.
      {"reconnect.backoff.max.ms", "1000"},
      {"client.id", "alertgate"},
  };
  return kDefaults;
}

Producer::Impl::~Impl() {
  if (poller.joinable()) {
    stopping.store(true, std::memory_order_release);
    rd_kafka_queue_yield(main_queue);
    poller.join();
  }
  topics.reset();
  if (main_queue) rd_kafka_queue_destroy(main_queue);
  if (rk) rd_kafka_destroy(rk);
}

void Producer::Impl::fail_now(const DeliveryDone& done, bool retriable, std::string reason) {
  failed.fetch_add(1, std::memory_order_relaxed);
  DeliveryReport report;
  report.retriable = retriable;
  report.reason = std::move(reason);
  if (done) done(report);
}

Result<std::unique_ptr<Producer>> Producer::open(ProducerSettings settings) {
  if (settings.brokers.empty()) return unexpected(Error{"kafka.brokers: required"});
  if (settings.properties.count("bootstrap.servers") != 0) {
    return unexpected(Error{"kafka.properties.bootstrap.servers: set kafka.brokers instead"});
  }
  if (auto t = topic_for(settings.topic_pattern, "tenant"); !t) {
    return unexpected(Error{"kafka.topic_pattern: " + t.error().message});
  }
  if (settings.create_topics) {
    if (auto e = TopicProvisioner::check(*settings.create_topics)) return unexpected(*e);
  }
  Properties defaults = default_properties();
  defaults["bootstrap.servers"] = settings.brokers;
  if (settings.create_topics) {
    // The producer's own metadata requests must not let the broker auto-create the topic
    // with its defaults before our CreateTopics (with the configured partitions) lands; the
    // first messages wait for the topic to appear instead.
    defaults["allow.auto.create.topics"] = "false";
  }
  auto conf = make_conf(defaults, settings.properties);
  if (!conf) return unexpected(std::move(conf).error());

  rd_kafka_conf_set_events(conf->get(), RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR);
  rd_kafka_conf_set_log_cb(conf->get(), on_log);
  std::array<char, 512> err{};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), err.data(), err.size());
  if (rk == nullptr) return unexpected(Error{std::string("kafka producer: ") + err.data()});
  static_cast<void>(conf->release());  // rd_kafka_new owns it now

  auto impl = std::make_unique<Impl>();
  impl->rk = rk;
  impl->main_queue = rd_kafka_queue_get_main(rk);
  if (settings.create_topics) {
    impl->topics =
        std::make_unique<TopicProvisioner>(rk, impl->main_queue, *settings.create_topics,
                                           [p = impl.get()](const OutMessage& m) { p->send(m); });
  }
  impl->settings = std::move(settings);
  impl->poller = std::thread([p = impl.get()] { p->poll_loop(); });
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Producer::~Producer() { stop(); }

void Producer::produce(const Alert& alert, DeliveryDone done) {
  produce_to({}, alert, std::move(done));
}

void Producer::produce_to(std::string_view own_topic, const Alert& alert, DeliveryDone done) {
  Impl& s = *impl_;
  auto topic = alert.tenant_id.empty()
                   ? Result<std::string>(unexpected(Error{"alert without tenant_id: no topic"}))
                   : topic_for(s.settings.topic_pattern, alert.tenant_id);
  if (topic && !own_topic.empty()) {
    // The tenant's topic itself, or below it after a '.', which no tenant id contains: a
    // plain prefix would let tenant "acme" write "alerts-acme2".
    const bool own =
        own_topic == *topic || (own_topic.starts_with(*topic) && own_topic[topic->size()] == '.');
    if (!own || !valid_topic_name(own_topic)) {
      topic = unexpected(Error{"topic \"" + std::string(own_topic) + "\" is not one of tenant " +
                               alert.tenant_id + "'s (\"" + *topic + "\" or \"" + *topic +
                               ".<name>\")"});
    } else {
      topic = std::string(own_topic);
    }
  }
  if (!topic) {
    s.fail_now(done, false, std::move(topic).error().message);
    return;
  }
  std::shared_lock lock(s.lifecycle);
  if (s.stopped) {
    s.fail_now(done, true, "stopped");
    return;
  }

  thread_local std::string value;  // copied by librdkafka (F_COPY): reused per thread
  value.clear();
  append_alert_json(value, alert);
  std::array<char, 4> rating{};
  const auto rating_end =
      std::to_chars(rating.data(), rating.data() + rating.size(), unsigned{alert.rating}).ptr;

  rd_kafka_headers_t* headers = rd_kafka_headers_new(5);
  if (!alert.trace.empty()) add_header(headers, "traceparent", alert.trace);
  add_header(headers, "tenant_id", alert.tenant_id);
  add_header(headers, "severity", to_string(alert.severity));
  add_header(headers, "rating",
             std::string_view(rating.data(), static_cast<std::size_t>(rating_end - rating.data())));
  add_header(headers, "alert_id", alert.alert_id);

  OutMessage m;
  m.topic = topic->c_str();
  key_hex(alert.fingerprint, m.key);
  m.value = value;
  m.headers = headers;
  m.done = new DeliveryDone(std::move(done));
  s.in_flight.fetch_add(1, std::memory_order_relaxed);  // before: the report may come first
  s.produced.fetch_add(1, std::memory_order_relaxed);
  if (s.topics) {
    switch (s.topics->admit(m, std::chrono::steady_clock::now())) {
      case TopicProvisioner::Admit::send: break;
      case TopicProvisioner::Admit::held: return;
      case TopicProvisioner::Admit::full: s.refuse(m, RD_KAFKA_RESP_ERR__QUEUE_FULL); return;
    }
  }
  s.send(m);
}

void Producer::Impl::send(const OutMessage& m) {
  // rd_kafka_produceva, not the RD_KAFKA_V_* macros: those are GNU statement expressions,
  // which clang -Wpedantic refuses.
  std::array<rd_kafka_vu_t, 6> vu{};
  vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  vu[0].u.cstr = m.topic;
  vu[1].vtype = RD_KAFKA_VTYPE_KEY;
  vu[1].u.mem = {const_cast<char*>(m.key.data()), m.key.size()};
  vu[2].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[2].u.mem = {const_cast<char*>(m.value.data()), m.value.size()};
  vu[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[3].u.i = RD_KAFKA_MSG_F_COPY;
  vu[4].vtype = RD_KAFKA_VTYPE_HEADERS;
  vu[4].u.headers = m.headers;
  vu[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[5].u.ptr = m.done;
  rd_kafka_error_t* error = rd_kafka_produceva(rk, vu.data(), vu.size());
  if (error == nullptr) return;  // librdkafka owns the headers now
  const rd_kafka_resp_err_t err = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  refuse(m, err);
}

void Producer::Impl::refuse(const OutMessage& m, rd_kafka_resp_err_t err) {
  rd_kafka_headers_destroy(m.headers);
  in_flight.fetch_sub(1, std::memory_order_relaxed);
  produced.fetch_sub(1, std::memory_order_relaxed);
  const std::unique_ptr<DeliveryDone> done(m.done);
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    fail_now(*done, true, "queue full");
  } else {
    fail_now(*done, retriable_error(err), rd_kafka_err2str(err));
  }
}

void Producer::produce(std::span<const Alert> alerts, BatchDeliveryDone done) {
  // One shared callback; each message's DeliveryDone only carries it and the index.
  auto shared = std::make_shared<const BatchDeliveryDone>(std::move(done));
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    produce(alerts[i], [shared, i](const DeliveryReport& r) {
      if (*shared) (*shared)(i, r);
    });
  }
}

bool Producer::healthy() const {
  const Impl& s = *impl_;
  std::shared_lock lock(s.lifecycle);
  return !s.stopped && s.reachable.load(std::memory_order_relaxed) &&
         !s.fatal.load(std::memory_order_relaxed);
}

ProducerStats Producer::stats() const {
  const Impl& s = *impl_;
  ProducerStats out;
  out.produced = s.produced.load(std::memory_order_relaxed);
  out.delivered = s.delivered.load(std::memory_order_relaxed);
  out.failed = s.failed.load(std::memory_order_relaxed);
  out.in_flight = s.in_flight.load(std::memory_order_relaxed);
  if (s.topics) {
    out.topics_created = s.topics->created();
    out.topic_create_errors = s.topics->errors();
  }
  std::shared_lock lock(s.lifecycle);
  if (!s.stopped) out.queue_depth = static_cast<std::uint64_t>(rd_kafka_outq_len(s.rk));
  return out;
}

bool Producer::flush(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  std::shared_lock lock(s.lifecycle);
  if (s.stopped) return s.in_flight.load() == 0;
  // Event mode (RD_KAFKA_EVENT_DR): rd_kafka_flush only waits, the poll thread serves.
  return rd_kafka_flush(s.rk, static_cast<int>(timeout.count())) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

void Producer::stop() {
  Impl& s = *impl_;
  {
    std::unique_lock lock(s.lifecycle);
    if (s.stopped) return;
    s.stopped = true;
  }
  // No produce() can reach `rk` any more; the poll thread still serves the reports.
  if (s.topics) s.topics->release_all();  // topics still being created: produce anyway
  if (rd_kafka_flush(s.rk, static_cast<int>(s.settings.stop_timeout.count())) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::warn("kafka producer: stop timeout, purging undelivered messages",
              {{"in_flight", s.in_flight.load()}});
    rd_kafka_purge(s.rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(s.rk, 1000);  // the purged reports ("stopped") are served promptly
  }
  s.stopping.store(true, std::memory_order_release);
  rd_kafka_queue_yield(s.main_queue);
  s.poller.join();
  // Whatever was queued after the last poll (topic-creation results, late reports).
  while (rd_kafka_event_t* event = rd_kafka_queue_poll(s.main_queue, 0)) {
    s.handle(event);
    rd_kafka_event_destroy(event);
  }
  s.topics.reset();
  rd_kafka_queue_destroy(s.main_queue);
  s.main_queue = nullptr;
  rd_kafka_destroy(s.rk);
  s.rk = nullptr;
}

}  // namespace alertgate::kafka
