#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "alertgate/wal/replay.hpp"
#include "alertgate/wal/wal_writer.hpp"
#include "unit/policy/temp_dir.hpp"
#include "unit/wal/wal_test_util.hpp"

using namespace alertgate;
using namespace alertgate::wal;
using alertgate::testing::TempDir;
using wal::testing::sample_alert;
using wal::testing::segment_files;
using wal::testing::wait_for;

namespace {

std::unique_ptr<WalWriter> open_writer(WalOptions o) {
  auto w = WalWriter::open(std::move(o));
  REQUIRE(w.ok());
  return std::move(w).value();
}

// Appends `alert` and waits for its callback; returns its result.
std::pair<std::error_code, WalTicket> append_sync(WalWriter& w, const Alert& alert) {
  std::atomic<bool> called{false};
  std::error_code ec;
  WalTicket ticket;
  w.append(alert, [&](std::error_code e, WalTicket t) {
    ec = e;
    ticket = t;
    called.store(true);
  });
  REQUIRE(wait_for([&] { return called.load(); }));
  return {ec, ticket};
}

}  // namespace

TEST_CASE("wal: group commit from 4 threads calls every callback once, per-thread order kept") {
  TempDir dir;
  WalOptions o;
  o.dir = dir.path();
  o.shard = 2;
  auto w = open_writer(o);
  constexpr std::size_t kThreads = 4;
  constexpr std::size_t kPerThread = 1500;
  std::vector<std::atomic<int>> calls(kThreads * kPerThread);
  std::atomic<int> failures{0};
  std::atomic<std::size_t> finished{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < kPerThread; ++i) {
        const std::size_t id = t * kPerThread + i;
        w->append(sample_alert(static_cast<int>(id)),
                  [&, id](std::error_code ec, WalTicket ticket) {
                    if (ec || !ticket.valid()) failures.fetch_add(1);
                    calls[id].fetch_add(1);
                    finished.fetch_add(1);
                  });
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(wait_for([&] { return finished.load() == kThreads * kPerThread; }));
  w->stop();
  CHECK(failures.load() == 0);
  for (auto& c : calls) REQUIRE(c.load() == 1);
  const WalStats s = w->stats();
  CHECK(s.appended == kThreads * kPerThread);
  CHECK(s.commits >= 1);
  CHECK(s.commits <= s.appended);

  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  CHECK(r->damage.empty());
  REQUIRE(r->alerts.size() == kThreads * kPerThread);
  std::vector<long> last(kThreads, -1);
  for (const ReplayedAlert& a : r->alerts) {
    CHECK(a.shard == 2);
    const auto id = static_cast<std::size_t>(std::stoi(a.alert.alert_id.substr(3)) - 100000);
    const std::size_t t = id / kPerThread;
    REQUIRE(static_cast<long>(id % kPerThread) > last[t]);
    last[t] = static_cast<long>(id % kPerThread);
  }
}

TEST_CASE("wal: segments roll at segment_bytes and replay reads them in order") {
  TempDir dir;
  WalOptions o;
  o.dir = dir.path();
  o.segment_bytes = 4096;
  o.commit_interval = std::chrono::microseconds(0);
  auto w = open_writer(o);
  std::atomic<int> done{0};
  for (int i = 0; i < 100; ++i) {
    w->append(sample_alert(i, 100), [&](std::error_code ec, WalTicket) {
      if (!ec) done.fetch_add(1);
    });
  }
  REQUIRE(wait_for([&] { return done.load() == 100; }));
  w->stop();
  const auto files = segment_files(dir.path() / "0");
  CHECK(files.size() > 5);
  CHECK(w->stats().segments_created == files.size());
  for (const auto& f : files) CHECK(std::filesystem::file_size(f) <= 4096);
  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  REQUIRE(r->alerts.size() == 100);
  for (int i = 0; i < 100; ++i) CHECK(r->alerts[i].alert.alert_id == sample_alert(i).alert_id);
  CHECK(r->alerts.front().ticket.segment < r->alerts.back().ticket.segment);
  REQUIRE(r->shards.size() == 1);
  CHECK(r->shards[0].segments.size() == files.size());
}

TEST_CASE("wal: a segment is deleted once closed and all its alerts are complete, not before") {
  TempDir dir;
  WalOptions o;
  o.dir = dir.path();
  o.segment_bytes = 2048;
  o.compact_after_segments = 1000;  // this test is about the prefix rule alone
  auto w = open_writer(o);
  std::vector<std::pair<std::string, WalTicket>> appended;
  for (int i = 0; i < 30; ++i) {
    auto [ec, ticket] = append_sync(*w, sample_alert(i, 100));
    REQUIRE_FALSE(ec);
    appended.emplace_back(sample_alert(i).alert_id, ticket);
  }
  const auto before = segment_files(dir.path() / "0").size();
  REQUIRE(before > 3);
  // Everything but the first alert is final: the first segment holds it, and the prefix
  // rule keeps every segment after it too.
  for (std::size_t i = 1; i < appended.size(); ++i) {
    w->record_outcome({appended[i].first, 7, Outcome::delivered});
    w->complete(appended[i].second, appended[i].first);
  }
  // Batches run in submission order: once this append is synced, the completions were seen.
  REQUIRE_FALSE(append_sync(*w, sample_alert(100)).first);
  CHECK(w->stats().segments_deleted == 0);
  CHECK(segment_files(dir.path() / "0").size() >= before);

  w->complete(appended[0].second, appended[0].first);
  REQUIRE_FALSE(append_sync(*w, sample_alert(101)).first);
  // Only the open segment (with the two sync alerts) is left.
  // Deletion runs on the WAL thread right after the callbacks: poll for it.
  CHECK(wait_for([&] {
    return segment_files(dir.path() / "0").size() == 1 &&
           w->stats().segments_deleted == w->stats().segments_created - 1;
  }));
  w->stop();
  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  REQUIRE(r->alerts.size() == 2);
  CHECK(r->alerts[0].alert.alert_id == sample_alert(100).alert_id);
}

TEST_CASE("wal: an I/O error fails the batch, turns unhealthy and recovers by itself") {
  TempDir dir;
  std::atomic<bool> disk_full{false};
  WalOptions o;
  o.dir = dir.path();
  o.retry_interval = std::chrono::milliseconds(20);
  // The sync fails after the data was written: the writer must cut it off again.
  o.fault_hook = [&](WalIo io) -> std::error_code {
    if (disk_full.load() && io == WalIo::sync) {
      return std::make_error_code(std::errc::no_space_on_device);
    }
    return {};
  };
  auto w = open_writer(o);
  for (int i = 0; i < 5; ++i) REQUIRE_FALSE(append_sync(*w, sample_alert(i)).first);
  CHECK(w->healthy());

  disk_full.store(true);
  auto [ec, ticket] = append_sync(*w, sample_alert(50));
  CHECK(ec == std::errc::no_space_on_device);
  CHECK_FALSE(ticket.valid());
  CHECK_FALSE(w->healthy());
  CHECK(w->last_error() == std::errc::no_space_on_device);
  CHECK(append_sync(*w, sample_alert(51)).first == std::errc::no_space_on_device);

  disk_full.store(false);
  REQUIRE(wait_for([&] { return w->healthy(); }));
  REQUIRE_FALSE(append_sync(*w, sample_alert(6)).first);
  w->stop();
  CHECK(w->stats().append_failures == 2);
  CHECK(w->stats().io_errors >= 1);

  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  CHECK(r->damage.empty());
  REQUIRE(r->alerts.size() == 6);
  CHECK(r->alerts.back().alert.alert_id == sample_alert(6).alert_id);
}

TEST_CASE("wal: stop() syncs what was queued, later appends are cancelled at once") {
  TempDir dir;
  WalOptions o;
  o.dir = dir.path();
  o.commit_interval = std::chrono::milliseconds(50);
  auto w = open_writer(o);
  std::atomic<int> ok{0};
  for (int i = 0; i < 200; ++i) {
    w->append(sample_alert(i), [&](std::error_code ec, WalTicket) {
      if (!ec) ok.fetch_add(1);
    });
  }
  w->stop();
  CHECK(ok.load() == 200);
  std::error_code late;
  w->append(sample_alert(999), [&](std::error_code ec, WalTicket) { late = ec; });
  CHECK(late == std::errc::operation_canceled);
  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  CHECK(r->alerts.size() == 200);
}

namespace {

// Limits the size of files this process writes (RLIMIT_FSIZE), with SIGXFSZ ignored so a
// write past it fails with EFBIG instead of killing the process; restores both.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    set(bytes);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  void set(rlim_t bytes) {
    rlimit l = saved_;
    l.rlim_cur = std::min(bytes, saved_.rlim_max);
    ::setrlimit(RLIMIT_FSIZE, &l);
  }
  void lift() { ::setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = SIG_DFL;
};

}  // namespace

TEST_CASE("wal: a real write error (RLIMIT_FSIZE) cuts the segment back and recovers") {
  TempDir dir;
  WalOptions o;
  o.dir = dir.path();
  o.retry_interval = std::chrono::milliseconds(20);
  auto w = open_writer(o);
  for (int i = 0; i < 3; ++i) REQUIRE_FALSE(append_sync(*w, sample_alert(i)).first);
  const auto seg = segment_files(dir.path() / "0").at(0);
  const auto good_size = std::filesystem::file_size(seg);

  std::error_code ec;
  {
    // Room for part of the next record only (and less than the 4 KiB recovery probe).
    FileSizeLimit limit(good_size + 100);
    ec = append_sync(*w, sample_alert(10, 400)).first;
    CHECK(std::filesystem::file_size(seg) == good_size);  // the partial record is cut off
    CHECK_FALSE(w->healthy());
    limit.lift();
    REQUIRE(wait_for([&] { return w->healthy(); }));
  }
  CHECK(ec == std::errc::file_too_large);
  REQUIRE_FALSE(append_sync(*w, sample_alert(11)).first);
  w->stop();
  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  CHECK(r->damage.empty());
  REQUIRE(r->alerts.size() == 4);
  CHECK(r->alerts.back().alert.alert_id == sample_alert(11).alert_id);
}

TEST_CASE("wal: compaction moves a long-lived alert forward so finished segments go") {
  TempDir dir;
  WalOptions o;
  o.dir = dir.path();
  o.segment_bytes = 2048;
  o.compact_after_segments = 2;
  auto w = open_writer(o);
  // One alert that stays undelivered (inhibited, muted...), with one destination finished.
  const Alert held = sample_alert(0, 100);
  auto [held_ec, held_ticket] = append_sync(*w, held);
  REQUIRE_FALSE(held_ec);
  w->record_outcome({held.alert_id, 7, Outcome::delivered});
  // Then a steady stream of alerts that are delivered at once.
  for (int i = 1; i < 200; ++i) {
    const Alert a = sample_alert(i, 100);
    auto [ec, ticket] = append_sync(*w, a);
    REQUIRE_FALSE(ec);
    w->complete(ticket, a.alert_id);
  }
  REQUIRE_FALSE(append_sync(*w, sample_alert(1000)).first);
  const WalStats s = w->stats();
  CHECK(s.segments_created > 10);
  CHECK(s.compactions > 0);
  CHECK(s.records_moved >= s.compactions);  // the held alert, each time
  // Disk stays bounded: the closed segments kept + the open one (+1 while a roll is due).
  CHECK(segment_files(dir.path() / "0").size() <= o.compact_after_segments + 2);

  // A crash now replays the held alert once, with its finished destination.
  w->stop();
  {
    auto r = replay_wal(dir.path());
    REQUIRE(r.ok());
    std::size_t held_seen = 0;
    for (const auto& a : r->alerts) {
      if (a.alert.alert_id == held.alert_id) {
        ++held_seen;
        CHECK(a.final_destinations == std::vector<std::uint64_t>{7});
      }
    }
    CHECK(held_seen == 1);
  }

  // Reopened on the replay: the held alert completes with the ticket it was given (its
  // segment is long gone: the writer follows it), and everything can go.
  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  WalOptions o2 = o;
  o2.recovered = r->shards.at(0).segments;
  auto w2 = open_writer(o2);
  for (const auto& a : r->alerts) w2->complete(a.ticket, a.alert.alert_id);
  for (int i = 0; i < 40; ++i) {
    const Alert a = sample_alert(2000 + i, 100);
    auto [ec, ticket] = append_sync(*w2, a);
    REQUIRE_FALSE(ec);
    w2->complete(ticket, a.alert_id);
  }
  REQUIRE_FALSE(append_sync(*w2, sample_alert(3000)).first);
  CHECK(wait_for([&] { return segment_files(dir.path() / "0").size() <= 2; }));
  w2->stop();
  auto last = replay_wal(dir.path());
  REQUIRE(last.ok());
  REQUIRE(last->alerts.size() == 1);
  CHECK(last->alerts[0].alert.alert_id == sample_alert(3000).alert_id);
}

TEST_CASE("wal: complete() with the ticket of a compacted segment releases the moved alert") {
  TempDir dir;
  WalOptions o;
  o.dir = dir.path();
  o.segment_bytes = 2048;
  o.compact_after_segments = 2;
  auto w = open_writer(o);
  const Alert held = sample_alert(0, 100);
  auto [ec0, held_ticket] = append_sync(*w, held);
  REQUIRE_FALSE(ec0);
  for (int i = 1; i < 120; ++i) {
    const Alert a = sample_alert(i, 100);
    auto [ec, ticket] = append_sync(*w, a);
    REQUIRE_FALSE(ec);
    w->complete(ticket, a.alert_id);
  }
  REQUIRE_FALSE(append_sync(*w, sample_alert(500)).first);
  REQUIRE(w->stats().compactions > 0);
  w->complete(held_ticket, held.alert_id);  // the original segment number
  for (int i = 0; i < 40; ++i) {
    const Alert a = sample_alert(600 + i, 100);
    auto [ec, ticket] = append_sync(*w, a);
    REQUIRE_FALSE(ec);
    w->complete(ticket, a.alert_id);
  }
  REQUIRE_FALSE(append_sync(*w, sample_alert(700)).first);
  CHECK(wait_for([&] { return segment_files(dir.path() / "0").size() <= 2; }));
  w->stop();
  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  for (const auto& a : r->alerts) CHECK(a.alert.alert_id != held.alert_id);
}
