#include "wal/wal_thread.hpp"

#include <algorithm>
#include <array>

#include "alertgate/wal/segment_format.hpp"

namespace alertgate::wal {

namespace {

constexpr std::size_t kDequeueChunk = 64;

}  // namespace

WalWriter::Impl::Impl(WalOptions options) : options_(std::move(options)) {}

WalWriter::Impl::~Impl() { stop(); }

Result<bool> WalWriter::Impl::start() {
  shard_dir_ = options_.dir / std::to_string(options_.shard);
  std::error_code ec;
  std::filesystem::create_directories(shard_dir_, ec);
  if (ec) return unexpected(Error{shard_dir_.string() + ": " + ec.message()});
  std::uint64_t max_seq = 0;
  for (const RecoveredSegment& r : options_.recovered) {
    Segment& seg = segments_[r.seq];
    seg.live = r.live_alerts;
    seg.closed = true;
    seg.alert_records = r.alert_records;
    for (const std::uint64_t id : r.live_ids) ++seg.live_ids[id];
    max_seq = std::max(max_seq, r.seq);
  }
  // Never reuse a number, even of a file replay did not report (e.g. one it quarantined).
  for (const auto& entry : std::filesystem::directory_iterator(shard_dir_, ec)) {
    if (auto seq = parse_segment_name(entry.path().filename().string())) {
      max_seq = std::max(max_seq, *seq);
    }
  }
  if (ec) return unexpected(Error{shard_dir_.string() + ": " + ec.message()});
  if (auto err = create_segment(max_seq + 1)) {
    return unexpected(
        Error{(shard_dir_ / segment_file_name(max_seq + 1)).string() + ": " + err.message()});
  }
  delete_finished_segments();
  stats_.segments.store(segments_.size(), std::memory_order_relaxed);
  thread_ = std::thread([this] { run(); });
  return true;
}

void WalWriter::Impl::submit(WalOp op) {
  // Dekker-style handshake with stop(): either stop() sees this submitter, or this
  // submitter sees `stopping_`; so nothing is enqueued after the stop marker is.
  submitters_.fetch_add(1);
  if (stopping_.load()) {
    submitters_.fetch_sub(1);
    if (op.callback) op.callback(std::make_error_code(std::errc::operation_canceled), {});
    return;
  }
  // enqueue() fails only when it cannot allocate a block, and then before it moves from
  // `op`, so the callback is still there to report it.
  const bool queued = queue_.enqueue(std::move(op));
  submitters_.fetch_sub(1);
  if (!queued && op.callback) {  // NOLINT(bugprone-use-after-move): see above
    op.callback(std::make_error_code(std::errc::not_enough_memory), {});  // NOLINT
  }
}

void WalWriter::Impl::stop() {
  std::call_once(stop_once_, [this] {
    stopping_.store(true);
    while (submitters_.load() != 0) std::this_thread::yield();
    if (!thread_.joinable()) return;
    WalOp marker;
    marker.kind = WalOp::Kind::stop;
    queue_.enqueue(std::move(marker));
    thread_.join();
  });
}

std::error_code WalWriter::Impl::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

WalStats WalWriter::Impl::stats() const {
  WalStats s;
  s.appended = stats_.appended.load();
  s.append_failures = stats_.append_failures.load();
  s.commits = stats_.commits.load();
  s.bytes_written = stats_.bytes_written.load();
  s.segments_created = stats_.segments_created.load();
  s.segments_deleted = stats_.segments_deleted.load();
  s.io_errors = stats_.io_errors.load();
  s.compactions = stats_.compactions.load();
  s.segments = stats_.segments.load();
  s.records_moved = stats_.records_moved.load();
  return s;
}

void WalWriter::Impl::run() {
  std::vector<WalOp> batch;
  for (;;) {
    batch.clear();
    const auto until = healthy() ? SteadyClock::time_point::max() : next_retry_;
    if (collect(batch, until)) {
      commit(batch);
    } else if (!healthy() && SteadyClock::now() >= next_retry_) {
      if (auto ec = probe()) {
        fail(ec);
      } else {
        recovered();
      }
    }
    if (stop_seen_) break;
  }
  // Everything submitted before stop() is in the queue by now (see submit()).
  for (;;) {
    std::array<WalOp, kDequeueChunk> buf;
    const std::size_t n = queue_.try_dequeue_bulk(buf.begin(), buf.size());
    if (n == 0) break;
    batch.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (buf[i].kind != WalOp::Kind::stop) batch.push_back(std::move(buf[i]));
    }
    commit(batch);
  }
}

bool WalWriter::Impl::collect(std::vector<WalOp>& batch, SteadyClock::time_point until) {
  std::array<WalOp, kDequeueChunk> buf;
  std::size_t bytes = 0;
  auto take = [&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      if (buf[i].kind == WalOp::Kind::stop) {
        stop_seen_ = true;
        continue;
      }
      bytes += buf[i].bytes.size();
      batch.push_back(std::move(buf[i]));
    }
  };
  std::size_t n = 0;
  if (until == SteadyClock::time_point::max()) {
    n = queue_.wait_dequeue_bulk(buf.begin(), buf.size());
  } else {
    const auto now = SteadyClock::now();
    n = until <= now ? queue_.try_dequeue_bulk(buf.begin(), buf.size())
                     : queue_.wait_dequeue_bulk_timed(buf.begin(), buf.size(), until - now);
  }
  if (n == 0) return false;
  take(n);
  // Group commit: wait for more until commit_interval after the first record, so one
  // fdatasync covers everything that arrived meanwhile.
  const auto deadline = SteadyClock::now() + options_.commit_interval;
  while (bytes < options_.max_batch_bytes && !stop_seen_) {
    const auto now = SteadyClock::now();
    n = now >= deadline ? queue_.try_dequeue_bulk(buf.begin(), buf.size())
                        : queue_.wait_dequeue_bulk_timed(buf.begin(), buf.size(), deadline - now);
    if (n == 0) break;
    take(n);
  }
  return !batch.empty() || stop_seen_;
}

}  // namespace alertgate::wal
