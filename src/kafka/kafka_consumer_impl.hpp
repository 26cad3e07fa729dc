// Consumer::Impl: the state shared by the consumer's files (kafka_consumer.cpp: open, the
// poll loop, the public calls; kafka_consumer_group.cpp: rebalances, commits, pause/resume,
// lag). Internal to the kafka stage.
//
// Ownership: the librdkafka handle, the poll thread, the OffsetTracker. Everything marked
// "poll thread" is touched only by the poll thread (librdkafka runs the rebalance and
// commit callbacks inside rd_kafka_consumer_poll / rd_kafka_consumer_close, on it).
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alertgate/kafka/kafka_consumer.hpp"
#include "kafka/offset_tracker.hpp"

namespace alertgate::kafka {

struct Consumer::Impl {
  using SteadyClock = std::chrono::steady_clock;

  Impl(ConsumerSettings s, Handler h) : settings(std::move(s)), handler(std::move(h)) {}

  ConsumerSettings settings;
  Handler handler;
  std::string tenant_prefix;  // topic_pattern before {tenant_id}
  std::string tenant_suffix;  // and after it
  rd_kafka_t* rk = nullptr;   // owned; destroyed by stop()
  std::thread thread;
  std::atomic<std::thread::id> poll_thread_id{};

  // --- poll thread ---
  OffsetTracker tracker;
  std::vector<std::string> slot_tenant;      // tenant id by tracker slot
  std::vector<std::int64_t> slot_confirmed;  // offset the broker confirmed, by slot
  std::vector<MessageToken> done_scratch;    // swapped with remote_done
  bool paused = false;
  SteadyClock::time_point next_commit{};
  SteadyClock::time_point next_refresh{};
  SteadyClock::time_point next_error_log{};
  // Periodic commits wait until then after the coordinator said the group is rebalancing
  // (cleared by the next rebalance callback): a commit that races the new generation is
  // answered ILLEGAL_GENERATION, which makes librdkafka drop the whole assignment as lost.
  SteadyClock::time_point commits_held_until{};

  // --- any thread ---
  std::mutex done_mutex;
  std::vector<MessageToken> remote_done;  // done() calls from other threads, applied by poll
  std::atomic<bool> stopping{false};
  std::atomic<bool> joined{false};
  std::mutex stop_mutex;
  bool started = false;  // under stop_mutex
  bool stopped = false;  // under stop_mutex

  struct Counters {
    std::atomic<std::uint64_t> messages{0}, done{0}, stale_done{0}, commits{0}, commit_errors{0},
        assignments{0}, revocations{0}, pauses{0}, consume_errors{0};
    std::atomic<std::size_t> in_flight{0}, uncommitted{0}, assigned_partitions{0};
    std::atomic<bool> paused{false};
  } counters;
  mutable std::mutex snapshot_mutex;  // guards the two below
  std::vector<PartitionLag> lag_snapshot;
  std::string protocol;

  // kafka_consumer.cpp
  void run();
  // Commits what is done and leaves the group (on the poll thread, or on the thread calling
  // stop() when the poll thread never started).
  void shutdown();
  void on_message(const rd_kafka_message_t& m);
  void apply_done(const MessageToken& token);
  void apply_remote_done();
  void log_client_error(std::string_view what, std::string_view reason);

  // kafka_consumer_group.cpp
  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void commit_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque);
  static void error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  void on_assign(rd_kafka_topic_partition_list_t* partitions, bool cooperative);
  void on_revoke(rd_kafka_topic_partition_list_t* partitions, bool cooperative, bool all);
  // Commits every due slot (or only `slots`), async or not. Returns false on a failed
  // synchronous commit.
  bool commit(const std::vector<std::uint32_t>& slots, bool async);
  void update_pause();
  void set_paused(const std::vector<std::uint32_t>& slots, bool pause);
  void refresh_snapshot();
  void housekeeping(SteadyClock::time_point now);
  std::string tenant_of(std::string_view topic) const;
};

}  // namespace alertgate::kafka
