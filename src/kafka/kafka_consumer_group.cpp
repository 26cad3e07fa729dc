// Consumer::Impl, the group side: rebalances (assign starts tracking, revoke commits what is
// done and forgets the rest), commits of explicit offsets, pause/resume on max_in_flight,
// the lag snapshot. Everything here runs on the poll thread.
#include <algorithm>
#include <cstring>
#include <memory>

#include "alertgate/log.hpp"
#include "kafka/kafka_consumer_impl.hpp"

namespace alertgate::kafka {

namespace {

struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const noexcept {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using ListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

// Longest pause of periodic commits after a "rebalance in progress" answer, in case no
// rebalance callback follows (a cooperative rebalance that changes nothing for us).
constexpr auto kRebalanceCommitHold = std::chrono::seconds(3);

bool rebalancing(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
         err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION || err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID;
}

ListPtr new_list(std::size_t n) {
  return ListPtr(rd_kafka_topic_partition_list_new(static_cast<int>(n)));
}

}  // namespace

std::string Consumer::Impl::tenant_of(std::string_view topic) const {
  const std::size_t affixes = tenant_prefix.size() + tenant_suffix.size();
  if (topic.size() <= affixes || !topic.starts_with(tenant_prefix) ||
      !topic.ends_with(tenant_suffix)) {
    return {};
  }
  return std::string(topic.substr(tenant_prefix.size(), topic.size() - affixes));
}

void Consumer::Impl::rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                  rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  Impl& self = *static_cast<Impl*>(opaque);
  self.commits_held_until = {};  // the rebalance got this far: commits are answered again
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  {
    std::lock_guard lock(self.snapshot_mutex);
    self.protocol = cooperative ? "COOPERATIVE" : "EAGER";
  }
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self.on_assign(partitions, cooperative);
  } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    self.on_revoke(partitions, cooperative, /*all=*/false);
  } else {
    // A failed rebalance: drop everything; the client rejoins the group.
    self.log_client_error("kafka rebalance failed", rd_kafka_err2str(err));
    self.on_revoke(partitions, /*cooperative=*/false, /*all=*/true);
  }
  self.refresh_snapshot();
}

void Consumer::Impl::on_assign(rd_kafka_topic_partition_list_t* partitions, bool cooperative) {
  std::vector<std::uint32_t> slots;
  for (int i = 0; i < partitions->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = partitions->elems[i];
    const std::uint32_t slot = tracker.assign(p.topic, p.partition);
    if (slot_tenant.size() <= slot) {
      slot_tenant.resize(slot + 1);
      slot_confirmed.resize(slot + 1, OffsetTracker::kNoOffset);
    }
    slot_tenant[slot] = tenant_of(p.topic);
    slot_confirmed[slot] = OffsetTracker::kNoOffset;
    slots.push_back(slot);
  }
  // The offsets stay as given (INVALID): each partition starts at the group's committed
  // offset, or at auto.offset.reset when it has none.
  if (cooperative) {
    if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, partitions)) {
      log_client_error("kafka incremental assign failed", rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
    }
  } else if (const auto e = rd_kafka_assign(rk, partitions); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log_client_error("kafka assign failed", rd_kafka_err2str(e));
  }
  if (paused) set_paused(slots, true);  // still over max_in_flight: the new ones wait too
  counters.assignments.fetch_add(1, std::memory_order_relaxed);
  counters.assigned_partitions.store(tracker.active_slots().size(), std::memory_order_relaxed);
  joined.store(true, std::memory_order_release);
}

void Consumer::Impl::on_revoke(rd_kafka_topic_partition_list_t* partitions, bool cooperative,
                               bool all) {
  apply_remote_done();  // done() calls that arrived before the revoke still count
  std::vector<std::uint32_t> slots;
  if (all) {
    slots = tracker.active_slots();
  } else {
    for (int i = 0; i < partitions->cnt; ++i) {
      const std::uint32_t slot =
          tracker.find(partitions->elems[i].topic, partitions->elems[i].partition);
      if (slot != OffsetTracker::kNoSlot && tracker.active(slot)) slots.push_back(slot);
    }
  }
  // Lost partitions (session timed out) may already belong to another member: a commit
  // would be refused, and their messages are consumed again there anyway.
  if (!all && rd_kafka_assignment_lost(rk) == 0) commit(slots, /*async=*/false);
  for (const std::uint32_t slot : slots) tracker.revoke(slot);

  if (cooperative) {
    if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions)) {
      log_client_error("kafka incremental unassign failed", rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
    }
  } else {
    rd_kafka_assign(rk, nullptr);
  }
  counters.revocations.fetch_add(1, std::memory_order_relaxed);
  counters.assigned_partitions.store(tracker.active_slots().size(), std::memory_order_relaxed);
  counters.in_flight.store(tracker.in_flight(), std::memory_order_relaxed);
  counters.uncommitted.store(tracker.uncommitted(), std::memory_order_relaxed);
  update_pause();
}

bool Consumer::Impl::commit(const std::vector<std::uint32_t>& slots, bool async) {
  ListPtr list = new_list(slots.size());
  std::vector<std::uint32_t> due;
  for (const std::uint32_t slot : slots) {
    if (!tracker.commit_due(slot)) continue;
    rd_kafka_topic_partition_list_add(list.get(), tracker.topic(slot).c_str(),
                                      tracker.partition(slot))
        ->offset = tracker.commit_point(slot);
    due.push_back(slot);
  }
  if (due.empty()) return true;
  counters.commits.fetch_add(1, std::memory_order_relaxed);
  const rd_kafka_resp_err_t err = rd_kafka_commit(rk, list.get(), async ? 1 : 0);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    counters.commit_errors.fetch_add(1, std::memory_order_relaxed);
    if (rebalancing(err)) {
      commits_held_until = SteadyClock::now() + kRebalanceCommitHold;
    } else {
      log_client_error("kafka commit failed", rd_kafka_err2str(err));
    }
    return false;
  }
  // Optimistic for async commits: a failure reported to commit_cb makes everything due again.
  for (const std::uint32_t slot : due) tracker.mark_committed(slot, tracker.commit_point(slot));
  return true;
}

void Consumer::Impl::commit_cb(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  Impl& self = *static_cast<Impl*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;  // nothing was due
  bool failed = err != RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int i = 0; offsets != nullptr && i < offsets->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = offsets->elems[i];
    if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      failed = true;
      continue;
    }
    const std::uint32_t slot = self.tracker.find(p.topic, p.partition);
    if (!failed && slot != OffsetTracker::kNoSlot && slot < self.slot_confirmed.size()) {
      self.slot_confirmed[slot] = p.offset;
    }
  }
  if (failed) {
    self.counters.commit_errors.fetch_add(1, std::memory_order_relaxed);
    // While the group rebalances, commits are refused until the member has its new
    // generation; only other failures are worth a log line.
    if (rebalancing(err)) {
      self.commits_held_until = SteadyClock::now() + kRebalanceCommitHold;
    } else {
      self.log_client_error("kafka commit failed", rd_kafka_err2str(err));
    }
    self.tracker.forget_committed();  // the next commit sends every partition again
  }
}

void Consumer::Impl::error_cb(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
  Impl& self = *static_cast<Impl*>(opaque);
  self.counters.consume_errors.fetch_add(1, std::memory_order_relaxed);
  self.log_client_error(rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
}

void Consumer::Impl::update_pause() {
  // Uncommitted, not only undone: one message that stays undone keeps every later one of
  // its partition in the tracker, and that must be bounded too.
  const std::size_t in_flight = tracker.uncommitted();
  const std::size_t max = settings.max_in_flight;
  if (!paused && in_flight >= max) {
    set_paused(tracker.active_slots(), true);
    paused = true;
    counters.pauses.fetch_add(1, std::memory_order_relaxed);
  } else if (paused && in_flight <= max / 2) {
    set_paused(tracker.active_slots(), false);
    paused = false;
  }
  counters.paused.store(paused, std::memory_order_relaxed);
}

void Consumer::Impl::set_paused(const std::vector<std::uint32_t>& slots, bool pause) {
  if (slots.empty()) return;
  ListPtr list = new_list(slots.size());
  for (const std::uint32_t slot : slots) {
    rd_kafka_topic_partition_list_add(list.get(), tracker.topic(slot).c_str(),
                                      tracker.partition(slot));
  }
  // Pausing drops what was fetched but not yet handed out; resuming fetches again from the
  // next offset the handler has not seen.
  const rd_kafka_resp_err_t err = pause ? rd_kafka_pause_partitions(rk, list.get())
                                        : rd_kafka_resume_partitions(rk, list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log_client_error(pause ? "kafka pause failed" : "kafka resume failed", rd_kafka_err2str(err));
  }
}

void Consumer::Impl::housekeeping(SteadyClock::time_point now) {
  counters.in_flight.store(tracker.in_flight(), std::memory_order_relaxed);
  counters.uncommitted.store(tracker.uncommitted(), std::memory_order_relaxed);
  if (now >= next_commit && now >= commits_held_until) {
    commit(tracker.active_slots(), /*async=*/true);
    next_commit = now + settings.commit_interval;
  }
  if (now >= next_refresh) {
    refresh_snapshot();
    next_refresh = now + std::max(settings.commit_interval, std::chrono::milliseconds(100));
  }
}

void Consumer::Impl::refresh_snapshot() {
  const std::vector<std::uint32_t> slots = tracker.active_slots();
  std::vector<PartitionLag> lags;
  lags.reserve(slots.size());
  ListPtr positions = new_list(slots.size());
  for (const std::uint32_t slot : slots) {
    rd_kafka_topic_partition_list_add(positions.get(), tracker.topic(slot).c_str(),
                                      tracker.partition(slot));
  }
  if (!slots.empty()) rd_kafka_position(rk, positions.get());  // local: no broker round trip
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const std::uint32_t slot = slots[i];
    PartitionLag l;
    l.topic = tracker.topic(slot);
    l.partition = tracker.partition(slot);
    std::int64_t low = -1;
    std::int64_t high = -1;
    // Cached from fetch responses: no broker round trip either.
    if (rd_kafka_get_watermark_offsets(rk, l.topic.c_str(), l.partition, &low, &high) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        high >= 0) {
      l.high_watermark = high;
    }
    l.committed = slot_confirmed[slot];
    const std::int64_t pos = positions->elems[i].offset;
    l.position = pos >= 0 ? pos : -1;
    const std::int64_t base = l.committed >= 0 ? l.committed : l.position;
    if (l.high_watermark >= 0 && base >= 0)
      l.lag = std::max<std::int64_t>(0, l.high_watermark - base);
    lags.push_back(std::move(l));
  }
  std::lock_guard lock(snapshot_mutex);
  lag_snapshot = std::move(lags);
}

}  // namespace alertgate::kafka
