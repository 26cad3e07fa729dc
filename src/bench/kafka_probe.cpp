#include "alertgate/bench/kafka_probe.hpp"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "alertgate/bench/bench_marker.hpp"

namespace alertgate::bench {

namespace {

constexpr int kPollTimeoutMs = 100;
// Messages taken per poll batch (the histogram lock is taken once per batch).
constexpr std::size_t kBatchMax = 512;
// Offset lookups of a new assignment (block the poll thread, once per partition).
constexpr int kOffsetLookupTimeoutMs = 5000;
// start() waits this long for the cluster's metadata (its topics as of the start).
constexpr int kMetadataTimeoutMs = 5000;

using PartitionKey = std::pair<std::string, std::int32_t>;

// An empty list or an empty entry; librdkafka itself would only log it and retry forever.
bool valid_broker_list(std::string_view brokers) {
  if (brokers.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = brokers.find(',', start);
    std::string_view entry = brokers.substr(start, comma - start);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.empty() || entry.front() == ':') return false;
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

}  // namespace

struct KafkaProbe::Impl {
  explicit Impl(KafkaProbeOptions o) : options(std::move(o)) {}

  KafkaProbeOptions options;
  rd_kafka_t* rk = nullptr;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<bool> has_assignment{false};      // the first assignment was taken
  std::atomic<std::uint64_t> client_errors{0};  // from error_cb (poll thread)
  // Set by start() before the poll thread exists.
  std::int64_t start_ms = 0;                        // system_clock, as message timestamps
  std::unordered_set<std::string> topics_at_start;  // every topic of the cluster

  mutable std::mutex mutex;  // guards histogram and counts
  LatencyHistogram histogram;
  KafkaProbeCounts counts;

  // Poll thread only (the rebalance callback runs inside rd_kafka_consumer_poll).
  // Where each partition ever assigned (re)starts: its first start, then the position
  // at its last revoke.
  std::map<PartitionKey, std::int64_t> resume;

  static void rebalance_cb(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    static_cast<Impl*>(opaque)->on_rebalance(err, partitions);
  }
  static void error_cb(rd_kafka_t* /*rk*/, int /*err*/, const char* /*reason*/, void* opaque) {
    static_cast<Impl*>(opaque)->client_errors.fetch_add(1, std::memory_order_relaxed);
  }

  void run();
  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  void choose_start_offsets(rd_kafka_topic_partition_list_t* partitions);
  void remember_positions(rd_kafka_topic_partition_list_t* partitions);
};

namespace {

// Asks the partition leaders (one request each) for the offset of every entry of `list`
// whose `offset` holds a ListOffsets timestamp (ms, or -1 for the end); answers are
// stored in `answers` by partition, failed ones left out.
void look_up_offsets(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* list,
                     std::map<PartitionKey, std::int64_t>& answers,
                     std::atomic<std::uint64_t>& errors) {
  if (list->cnt == 0) return;
  if (rd_kafka_offsets_for_times(rk, list, kOffsetLookupTimeoutMs) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++errors;
    return;
  }
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& e = list->elems[i];
    if (e.err == RD_KAFKA_RESP_ERR_NO_ERROR && e.offset >= 0)
      answers[{e.topic, e.partition}] = e.offset;
  }
}

}  // namespace

void KafkaProbe::Impl::choose_start_offsets(rd_kafka_topic_partition_list_t* partitions) {
  // Every assigned partition gets a concrete start: no offsets are committed, and
  // auto.offset.reset=latest is resolved only when fetching starts, possibly seconds after
  // start() (the group join), which would skip the first alerts of the run, what arrives
  // while an eager rebalance re-assigns a partition, and the messages that created a topic
  // (alertgate creates alerts-<tenant> on a tenant's first alert). So a partition assigned
  // before resumes where it stopped; one of a topic created after start() is read from its
  // beginning; one of an older topic from its first message timestamped at or after
  // start(), or, when there is none (or the broker cannot say: librdkafka's mock cluster),
  // from its end offset as of now.
  rd_kafka_topic_partition_list_t* ends = rd_kafka_topic_partition_list_new(partitions->cnt);
  rd_kafka_topic_partition_list_t* since = rd_kafka_topic_partition_list_new(partitions->cnt);
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& p = partitions->elems[i];
    if (auto it = resume.find({p.topic, p.partition}); it != resume.end()) {
      p.offset = it->second;
    } else if (options.from_beginning || !topics_at_start.contains(p.topic)) {
      p.offset = RD_KAFKA_OFFSET_BEGINNING;
    } else {
      p.offset = RD_KAFKA_OFFSET_END;  // replaced below when a lookup answers
      rd_kafka_topic_partition_list_add(ends, p.topic, p.partition)->offset = RD_KAFKA_OFFSET_END;
      rd_kafka_topic_partition_list_add(since, p.topic, p.partition)->offset = start_ms;
    }
  }
  // The end first: a message timestamped after start() that arrives between the two
  // lookups is then found by the second one, not skipped.
  std::map<PartitionKey, std::int64_t> end_offsets, since_offsets;
  look_up_offsets(rk, ends, end_offsets, client_errors);
  look_up_offsets(rk, since, since_offsets, client_errors);
  rd_kafka_topic_partition_list_destroy(ends);
  rd_kafka_topic_partition_list_destroy(since);

  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& p = partitions->elems[i];
    const PartitionKey key{p.topic, p.partition};
    if (p.offset == RD_KAFKA_OFFSET_END) {
      if (auto it = since_offsets.find(key); it != since_offsets.end()) {
        p.offset = it->second;
      } else if (auto e = end_offsets.find(key); e != end_offsets.end()) {
        p.offset = e->second;
      }  // else: both failed (counted), auto.offset.reset decides
    }
    // Where a re-assignment resumes if nothing is consumed before the revoke.
    if (p.offset != RD_KAFKA_OFFSET_END) resume[key] = p.offset;
  }
}

void KafkaProbe::Impl::remember_positions(rd_kafka_topic_partition_list_t* partitions) {
  if (rd_kafka_position(rk, partitions) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  for (int i = 0; i < partitions->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = partitions->elems[i];
    if (p.offset >= 0) resume[{p.topic, p.partition}] = p.offset;
  }
}

void KafkaProbe::Impl::on_rebalance(rd_kafka_resp_err_t err,
                                    rd_kafka_topic_partition_list_t* partitions) {
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  rd_kafka_error_t* error = nullptr;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    choose_start_offsets(partitions);
    if (cooperative) {
      error = rd_kafka_incremental_assign(rk, partitions);
    } else if (rd_kafka_assign(rk, partitions) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++client_errors;
    }
    has_assignment.store(true, std::memory_order_release);  // joined; stays true
  } else {
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      remember_positions(partitions);
    } else {
      ++client_errors;  // a failed rebalance: drop everything, the group will rejoin
    }
    if (cooperative && err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      error = rd_kafka_incremental_unassign(rk, partitions);
    } else {
      rd_kafka_assign(rk, nullptr);
    }
  }
  if (error != nullptr) {
    ++client_errors;
    rd_kafka_error_destroy(error);
  }
}

void KafkaProbe::Impl::run() {
  std::vector<std::int64_t> batch;  // latencies of one poll batch, recorded under the lock
  batch.reserve(kBatchMax);
  while (!stopping.load(std::memory_order_acquire)) {
    batch.clear();
    std::uint64_t messages = 0, errors = 0;
    int timeout = kPollTimeoutMs;
    for (std::size_t n = 0; n < kBatchMax; ++n) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, timeout);
      if (m == nullptr) break;
      timeout = 0;  // drain what is already fetched, then publish
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++messages;
        rd_kafka_timestamp_type_t type;
        const std::int64_t ts_ms = rd_kafka_message_timestamp(m, &type);
        const std::string_view value(static_cast<const char*>(m->payload),
                                     m->payload == nullptr ? 0 : m->len);
        // One alert per message: the first marker is the message's; another one would be
        // text quoted inside the alert.
        bool found = false;
        scan_markers(value, [&](const Marker& mk) {
          if (found || ts_ms < 0) return;
          found = true;
          const std::int64_t latency = ts_ms * 1'000'000 - mk.intended.time_since_epoch().count();
          batch.push_back(std::max<std::int64_t>(latency, 0));
        });
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        ++errors;
      }
      rd_kafka_message_destroy(m);
    }
    const std::uint64_t client = client_errors.exchange(0, std::memory_order_relaxed);
    if (messages == 0 && errors == 0 && client == 0) continue;
    std::lock_guard lock(mutex);
    for (const std::int64_t v : batch) histogram.record(v);
    counts.messages += messages;
    counts.measured += batch.size();
    counts.errors += errors + client;
  }
  // Leaves the group (a last revoke through rebalance_cb); nothing to commit.
  rd_kafka_consumer_close(rk);
}

KafkaProbe::KafkaProbe(KafkaProbeOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

KafkaProbe::~KafkaProbe() { stop(); }

Result<bool> KafkaProbe::start() {
  Impl& s = *impl_;
  if (s.rk != nullptr) return unexpected(Error{"kafka probe: already started"});
  if (!valid_broker_list(s.options.brokers)) {
    return unexpected(
        Error{"kafka probe: bad broker list \"" + s.options.brokers + "\" (want HOST:PORT[,...])"});
  }
  const std::string group_id = s.options.group_id.empty()
                                   ? "alertgate-bench-" + std::to_string(::getpid())
                                   : s.options.group_id;
  std::vector<std::pair<std::string, std::string>> props = {
      {"bootstrap.servers", s.options.brokers},
      {"group.id", group_id},
      {"auto.offset.reset", s.options.from_beginning ? "earliest" : "latest"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // A regex subscription sees new topics only at metadata refreshes (default 5 min).
      {"topic.metadata.refresh.interval.ms", "1000"},
      // New topics join the assignment without stopping the partitions already consumed.
      {"partition.assignment.strategy", "cooperative-sticky"},
      // Kafka's smallest session (group.min.session.timeout.ms): a coordinator that waits
      // for members to rejoin until a session expires (librdkafka's mock cluster does)
      // then adds a new topic within ~5 s, not ~45 s. Heartbeats come from librdkafka's
      // own thread, so a busy poll thread does not lose the session.
      {"session.timeout.ms", "6000"},
      {"heartbeat.interval.ms", "1000"},
  };
  props.insert(props.end(), s.options.properties.begin(), s.options.properties.end());

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : props) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return unexpected(Error{"kafka probe: " + std::string(errstr)});
    }
  }
  rd_kafka_conf_set_opaque(conf, &s);
  rd_kafka_conf_set_rebalance_cb(conf, Impl::rebalance_cb);
  rd_kafka_conf_set_error_cb(conf, Impl::error_cb);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);  // not taken over on failure
    return unexpected(Error{"kafka probe: " + std::string(errstr)});
  }
  rd_kafka_poll_set_consumer(rk);

  // Topics that exist now hold messages of earlier runs; topics created later are ours
  // from their first message. Asking now also fails early on brokers that do not answer.
  s.start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t merr = rd_kafka_metadata(rk, 1, nullptr, &metadata, kMetadataTimeoutMs);
  if (merr != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_destroy(rk);
    return unexpected(Error{"kafka probe: no metadata from brokers \"" + s.options.brokers +
                            "\": " + rd_kafka_err2str(merr)});
  }
  s.topics_at_start.clear();
  for (int i = 0; i < metadata->topic_cnt; ++i) s.topics_at_start.insert(metadata->topics[i].topic);
  rd_kafka_metadata_destroy(metadata);

  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, s.options.topic_regex.c_str(), RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_destroy(rk);
    return unexpected(Error{"kafka probe: subscribe to \"" + s.options.topic_regex +
                            "\": " + rd_kafka_err2str(err)});
  }
  s.rk = rk;
  s.stopping.store(false, std::memory_order_release);
  s.thread = std::thread([&s] { s.run(); });
  return true;
}

KafkaProbeCounts KafkaProbe::collect(LatencyHistogram& into) const {
  std::lock_guard lock(impl_->mutex);
  into.merge(impl_->histogram);
  return impl_->counts;
}

bool KafkaProbe::assigned() const { return impl_->has_assignment.load(std::memory_order_acquire); }

void KafkaProbe::stop() {
  Impl& s = *impl_;
  if (s.rk == nullptr) return;
  s.stopping.store(true, std::memory_order_release);
  if (s.thread.joinable()) s.thread.join();
  rd_kafka_destroy(s.rk);
  s.rk = nullptr;
  s.has_assignment.store(false, std::memory_order_release);
}

}  // namespace alertgate::bench
