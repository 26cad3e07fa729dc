// The WAL thread's I/O: batches, segment roll and deletion, failure and recovery.
#include <unistd.h>

#include <cerrno>

#include "alertgate/wal/segment_format.hpp"
#include "wal/wal_thread.hpp"

namespace alertgate::wal {

namespace {

constexpr std::size_t kProbeBytes = 4096;

// Ends the ops [begin, end): appends get their callback, done ops release their segment
// whether or not their record was written (the alert is finished either way; a lost done
// record only means a repeated delivery after a crash).
template <class Release, class Count>
void finish(std::vector<WalOp>& batch, std::size_t begin, std::size_t end, std::error_code ec,
            std::uint64_t seq, Release&& release, Count&& count) {
  for (std::size_t i = begin; i < end; ++i) {
    WalOp& op = batch[i];
    if (op.kind == WalOp::Kind::done) {
      release(op);
    } else if (op.kind == WalOp::Kind::append) {
      count(op, ec);
      op.callback(ec, ec ? WalTicket{} : WalTicket{seq});
    }
  }
}

}  // namespace

void WalWriter::Impl::commit(std::vector<WalOp>& batch) {
  auto release_one = [this](const WalOp& op) { release(op.segment, op.id_hash); };
  auto count = [this](const WalOp& op, std::error_code ec) {
    if (ec) {
      stats_.append_failures.fetch_add(1, std::memory_order_relaxed);
    } else {
      Segment& seg = segments_[open_seq_];
      ++seg.live;
      ++seg.alert_records;
      ++seg.live_ids[op.id_hash];
      stats_.appended.fetch_add(1, std::memory_order_relaxed);
    }
  };
  if (!healthy()) {
    // Fail fast until the next retry: the callers answer 503 without waiting a sync.
    if (SteadyClock::now() < next_retry_) {
      finish(batch, 0, batch.size(), last_error(), 0, release_one, count);
      delete_finished_segments();
      return;
    }
    if (auto ec = detail::truncate_to(fd_.get(), synced_size_)) {
      fail(ec);
      finish(batch, 0, batch.size(), ec, 0, release_one, count);
      return;
    }
  }
  buffer_.clear();
  std::size_t chunk = 0;  // first op not yet finished
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::string& bytes = batch[i].bytes;
    if (bytes.empty()) continue;
    const std::uint64_t used = synced_size_ + buffer_.size();
    // Roll before a record that would pass segment_bytes, unless the segment is empty (a
    // record larger than a segment gets one of its own).
    if (used + bytes.size() > options_.segment_bytes && used > kSegmentHeaderBytes) {
      std::error_code ec = flush();
      if (!ec) {
        finish(batch, chunk, i, {}, open_seq_, release_one, count);
        chunk = i;
        ec = roll();
      }
      if (ec) {
        fail(ec);
        finish(batch, chunk, batch.size(), ec, 0, release_one, count);
        delete_finished_segments();
        return;
      }
    }
    buffer_.append(bytes);
  }
  if (auto ec = flush()) {
    fail(ec);
    finish(batch, chunk, batch.size(), ec, 0, release_one, count);
  } else {
    if (!healthy()) recovered();
    finish(batch, chunk, batch.size(), {}, open_seq_, release_one, count);
  }
  delete_finished_segments();
  if (healthy()) maybe_compact();
  stats_.segments.store(segments_.size(), std::memory_order_relaxed);
}

std::error_code WalWriter::Impl::flush() {
  if (buffer_.empty()) return {};
  std::error_code ec = fault(WalIo::write);
  if (!ec) ec = detail::pwrite_all(fd_.get(), buffer_.data(), buffer_.size(), synced_size_);
  if (!ec) ec = fault(WalIo::sync);
  if (!ec) ec = detail::sync_data(fd_.get());
  if (ec) {
    // Cut what may have reached the file, so the segment ends at its last durable record.
    // If this fails too, the next attempt truncates again before writing.
    (void)detail::truncate_to(fd_.get(), synced_size_);
    buffer_.clear();
    return ec;
  }
  synced_size_ += buffer_.size();
  stats_.bytes_written.fetch_add(buffer_.size(), std::memory_order_relaxed);
  stats_.commits.fetch_add(1, std::memory_order_relaxed);
  buffer_.clear();
  return {};
}

std::error_code WalWriter::Impl::roll() {
  const std::uint64_t old = open_seq_;
  if (auto ec = create_segment(old + 1)) return ec;
  segments_[old].closed = true;
  return {};
}

std::error_code WalWriter::Impl::create_segment(std::uint64_t seq) {
  const auto path = shard_dir_ / segment_file_name(seq);
  if (auto ec = fault(WalIo::create)) return ec;
  detail::Fd fd;
  if (auto ec = detail::create_file(path, fd)) return ec;
  std::string header;
  append_segment_header(SegmentHeader{kFormatVersion, options_.shard, seq}, header);
  std::error_code ec = detail::pwrite_all(fd.get(), header.data(), header.size(), 0);
  if (!ec) ec = detail::sync_data(fd.get());
  if (!ec) ec = detail::sync_dir(shard_dir_);
  if (ec) {
    ::unlink(path.c_str());
    return ec;
  }
  fd_ = std::move(fd);
  open_seq_ = seq;
  synced_size_ = header.size();
  segments_[seq] = Segment{};
  stats_.segments_created.fetch_add(1, std::memory_order_relaxed);
  return {};
}

// Checks that the file system takes data again, without touching the segment: a probe
// block left in a segment by a crash would look like corruption.
std::error_code WalWriter::Impl::probe() {
  const auto path = shard_dir_ / "probe.tmp";
  ::unlink(path.c_str());
  detail::Fd fd;
  if (auto ec = detail::create_file(path, fd)) return ec;
  static const std::string zeros(kProbeBytes, '\0');
  std::error_code ec = fault(WalIo::write);
  if (!ec) ec = detail::pwrite_all(fd.get(), zeros.data(), zeros.size(), 0);
  if (!ec) ec = fault(WalIo::sync);
  if (!ec) ec = detail::sync_data(fd.get());
  ::unlink(path.c_str());
  if (!ec) ec = detail::truncate_to(fd_.get(), synced_size_);
  return ec;
}

void WalWriter::Impl::fail(std::error_code ec) {
  {
    std::lock_guard lock(error_mutex_);
    last_error_ = ec;
  }
  stats_.io_errors.fetch_add(1, std::memory_order_relaxed);
  next_retry_ = SteadyClock::now() + options_.retry_interval;
  healthy_.store(false, std::memory_order_release);
}

void WalWriter::Impl::recovered() { healthy_.store(true, std::memory_order_release); }

void WalWriter::Impl::release(std::uint64_t segment, std::uint64_t id_hash) {
  // A compacted segment's alerts live on where compaction moved them.
  for (auto m = moved_to_.find(segment); m != moved_to_.end(); m = moved_to_.find(segment)) {
    segment = m->second;
  }
  auto it = segments_.find(segment);
  if (it == segments_.end()) return;
  Segment& seg = it->second;
  if (seg.live > 0) --seg.live;
  if (auto id = seg.live_ids.find(id_hash); id != seg.live_ids.end() && --id->second == 0) {
    seg.live_ids.erase(id);
  }
}

void WalWriter::Impl::delete_finished_segments() {
  // Oldest first and only a prefix: a later segment may hold the outcome and done records
  // of alerts in an older one, so it must not disappear before them.
  while (!segments_.empty()) {
    auto it = segments_.begin();
    if (!it->second.closed || it->second.live != 0) break;
    if (::unlink((shard_dir_ / segment_file_name(it->first)).c_str()) != 0 && errno != ENOENT) {
      break;  // retried after the next batch
    }
    segments_.erase(it);
    stats_.segments_deleted.fetch_add(1, std::memory_order_relaxed);
  }
}

std::error_code WalWriter::Impl::fault(WalIo io) const {
  return options_.fault_hook ? options_.fault_hook(io) : std::error_code{};
}

}  // namespace alertgate::wal
