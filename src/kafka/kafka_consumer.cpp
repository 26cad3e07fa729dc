// Consumer: open (settings, conf, subscription), the poll loop and the calls any thread
// makes. Rebalances, commits and pausing are in kafka_consumer_group.cpp.
#include "alertgate/kafka/kafka_consumer.hpp"

#include <array>
#include <cstring>
#include <utility>

#include "alertgate/log.hpp"
#include "kafka/kafka_consumer_impl.hpp"

namespace alertgate::kafka {

namespace {

// Short, so done() calls from other threads are applied (and partitions resumed) soon,
// and stop() is seen soon, without a wake-up channel into librdkafka.
constexpr int kPollTimeoutMs = 20;
// Messages handled before the loop looks at the clock again.
constexpr int kBurst = 64;

// Properties the consumer's correctness depends on, or that have their own setting.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kManaged{{
    {"enable.auto.commit", "offsets are committed by alertgate after delivery"},
    {"enable.auto.offset.store", "offsets are committed by alertgate after delivery"},
    {"group.id", "use kafka.group_id"},
    {"bootstrap.servers", "use kafka.brokers"},
    {"metadata.broker.list", "use kafka.brokers"},
}};

std::optional<Error> check_settings(const ConsumerSettings& s) {
  if (s.brokers.empty()) return Error{"kafka.brokers: empty (no bootstrap servers)"};
  if (s.group_id.empty()) return Error{"kafka.group_id: empty"};
  if (s.topic_regex.empty()) return Error{"kafka.topic_regex: empty"};
  if (s.topic_pattern.find("{tenant_id}") == std::string::npos) {
    return Error{"kafka.topic_pattern \"" + s.topic_pattern +
                 "\": has no {tenant_id}, so no tenant can be read from a topic"};
  }
  if (s.max_in_flight == 0) return Error{"kafka.max_in_flight: must be at least 1"};
  if (s.commit_interval.count() <= 0) return Error{"kafka.commit_interval: must be positive"};
  for (const auto& [name, why] : kManaged) {
    if (s.properties.contains(name)) {
      return Error{"kafka.properties." + std::string(name) + ": not allowed here (" +
                   std::string(why) + ")"};
    }
  }
  return std::nullopt;
}

}  // namespace

Properties consumer_default_properties() {
  return Properties{
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      // A new tenant's topic is consumed within seconds, not librdkafka's 5 minutes.
      {"topic.metadata.refresh.interval.ms", "10000"},
      // A killed router's partitions move after 10 s instead of 45 s.
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "3000"},
  };
}

Result<std::unique_ptr<Consumer>> Consumer::open(ConsumerSettings settings, Handler handler) {
  if (auto e = check_settings(settings)) return unexpected(std::move(*e));
  if (!handler) return unexpected(Error{"kafka consumer: no message handler"});
  Properties defaults = consumer_default_properties();
  defaults["bootstrap.servers"] = settings.brokers;
  defaults["group.id"] = settings.group_id;
  auto conf = make_conf(defaults, settings.properties);
  if (!conf.ok()) return unexpected(std::move(conf.error()));

  auto impl = std::make_unique<Impl>(std::move(settings), std::move(handler));
  const std::string& pattern = impl->settings.topic_pattern;
  const auto at = pattern.find("{tenant_id}");
  impl->tenant_prefix = pattern.substr(0, at);
  impl->tenant_suffix = pattern.substr(at + std::strlen("{tenant_id}"));

  rd_kafka_conf_t* c = conf->release();
  rd_kafka_conf_set_opaque(c, impl.get());
  rd_kafka_conf_set_rebalance_cb(c, &Impl::rebalance_cb);
  rd_kafka_conf_set_offset_commit_cb(c, &Impl::commit_cb);
  rd_kafka_conf_set_error_cb(c, &Impl::error_cb);
  std::array<char, 512> err{};
  impl->rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err.data(), err.size());
  if (impl->rk == nullptr) {
    rd_kafka_conf_destroy(c);  // not taken over on failure
    return unexpected(Error{std::string("kafka consumer: ") + err.data()});
  }
  rd_kafka_poll_set_consumer(impl->rk);

  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, impl->settings.topic_regex.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t sub = rd_kafka_subscribe(impl->rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (sub != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_destroy(impl->rk);
    impl->rk = nullptr;
    return unexpected(Error{"kafka.topic_regex \"" + impl->settings.topic_regex +
                            "\": subscribe failed: " + rd_kafka_err2str(sub)});
  }
  return std::unique_ptr<Consumer>(new Consumer(std::move(impl)));
}

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Consumer::~Consumer() { stop(); }

void Consumer::start() {
  Impl& m = *impl_;
  std::lock_guard lock(m.stop_mutex);
  if (m.started || m.stopped) return;
  m.started = true;
  Impl* raw = impl_.get();
  m.thread = std::thread([raw] { raw->run(); });
}

void Consumer::stop() {
  Impl& m = *impl_;
  m.stopping.store(true, std::memory_order_release);
  // From the handler: the poll loop ends by itself after it returns; the destructor joins.
  if (std::this_thread::get_id() == m.poll_thread_id.load()) return;
  std::lock_guard lock(m.stop_mutex);
  if (m.stopped) return;
  if (m.thread.joinable()) {
    m.thread.join();
  } else if (!m.started) {
    m.shutdown();  // never polled: leave the group from here
  }
  rd_kafka_destroy(m.rk);
  m.rk = nullptr;
  m.stopped = true;
}

void Consumer::done(const MessageToken& token) {
  Impl& m = *impl_;
  if (std::this_thread::get_id() == m.poll_thread_id.load(std::memory_order_relaxed)) {
    m.apply_done(token);  // from the handler: no queue, no lock
    return;
  }
  std::lock_guard lock(m.done_mutex);
  m.remote_done.push_back(token);
}

bool Consumer::assigned() const { return impl_->joined.load(std::memory_order_acquire); }

std::vector<PartitionLag> Consumer::lag() const {
  std::lock_guard lock(impl_->snapshot_mutex);
  return impl_->lag_snapshot;
}

ConsumerStats Consumer::stats() const {
  const Impl::Counters& c = impl_->counters;
  ConsumerStats s;
  s.messages = c.messages.load(std::memory_order_relaxed);
  s.done = c.done.load(std::memory_order_relaxed);
  s.stale_done = c.stale_done.load(std::memory_order_relaxed);
  s.commits = c.commits.load(std::memory_order_relaxed);
  s.commit_errors = c.commit_errors.load(std::memory_order_relaxed);
  s.assignments = c.assignments.load(std::memory_order_relaxed);
  s.revocations = c.revocations.load(std::memory_order_relaxed);
  s.pauses = c.pauses.load(std::memory_order_relaxed);
  s.consume_errors = c.consume_errors.load(std::memory_order_relaxed);
  s.in_flight = c.in_flight.load(std::memory_order_relaxed);
  s.uncommitted = c.uncommitted.load(std::memory_order_relaxed);
  s.assigned_partitions = c.assigned_partitions.load(std::memory_order_relaxed);
  s.paused = c.paused.load(std::memory_order_relaxed);
  std::lock_guard lock(impl_->snapshot_mutex);
  s.rebalance_protocol = impl_->protocol;
  return s;
}

void Consumer::Impl::run() {
  poll_thread_id.store(std::this_thread::get_id());
  while (!stopping.load(std::memory_order_acquire)) {
    apply_remote_done();
    for (int i = 0; i < kBurst; ++i) {
      rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk, i == 0 ? kPollTimeoutMs : 0);
      if (msg == nullptr) break;
      on_message(*msg);
      rd_kafka_message_destroy(msg);
      update_pause();
      if (paused || stopping.load(std::memory_order_relaxed)) break;
    }
    housekeeping(SteadyClock::now());
  }
  shutdown();
}

void Consumer::Impl::shutdown() {
  // Leaving: what is done is committed, then the group is left; librdkafka calls the
  // rebalance callback (revoke), which commits again synchronously and forgets.
  apply_remote_done();
  commit(tracker.active_slots(), /*async=*/false);
  rd_kafka_consumer_close(rk);
  joined.store(false, std::memory_order_release);
  refresh_snapshot();
}

void Consumer::Impl::on_message(const rd_kafka_message_t& m) {
  if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
    counters.consume_errors.fetch_add(1, std::memory_order_relaxed);
    log_client_error("kafka consumer error", rd_kafka_message_errstr(&m));
    return;
  }
  const char* topic = rd_kafka_topic_name(m.rkt);
  const std::uint32_t slot = tracker.find(topic, m.partition);
  // A message of a partition no longer ours (fetched before a revoke): its new owner has it.
  if (slot == OffsetTracker::kNoSlot || !tracker.active(slot)) return;

  ConsumedMessage msg;
  msg.topic = topic;
  msg.partition = m.partition;
  msg.offset = m.offset;
  if (m.key != nullptr) msg.key.assign(static_cast<const char*>(m.key), m.key_len);
  msg.tenant_id = slot_tenant[slot];
  if (m.payload != nullptr) msg.value.assign(static_cast<const char*>(m.payload), m.len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      msg.headers.emplace_back(name, value != nullptr
                                         ? std::string(static_cast<const char*>(value), size)
                                         : std::string());
    }
  }
  msg.token = tracker.track(slot, m.offset);
  counters.messages.fetch_add(1, std::memory_order_relaxed);
  handler(std::move(msg));
}

void Consumer::Impl::apply_done(const MessageToken& token) {
  switch (tracker.done(token)) {
    case OffsetTracker::DoneResult::applied:
      counters.done.fetch_add(1, std::memory_order_relaxed);
      break;
    case OffsetTracker::DoneResult::stale:
      counters.stale_done.fetch_add(1, std::memory_order_relaxed);
      break;
    case OffsetTracker::DoneResult::duplicate: break;
  }
}

void Consumer::Impl::apply_remote_done() {
  {
    std::lock_guard lock(done_mutex);
    if (remote_done.empty()) return;
    done_scratch.swap(remote_done);
  }
  for (const MessageToken& t : done_scratch) apply_done(t);
  done_scratch.clear();
  update_pause();
}

void Consumer::Impl::log_client_error(std::string_view what, std::string_view reason) {
  // A broker outage makes the client report the same error many times a second.
  const auto now = SteadyClock::now();
  if (now < next_error_log) return;
  next_error_log = now + std::chrono::seconds(5);
  log::warn(what, {{"reason", reason}, {"group", settings.group_id}});
}

}  // namespace alertgate::kafka
