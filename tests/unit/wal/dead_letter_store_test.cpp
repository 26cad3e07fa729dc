#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alertgate/wal/dead_letter_codec.hpp"
#include "alertgate/wal/dead_letter_store.hpp"
#include "unit/policy/temp_dir.hpp"
#include "unit/wal/wal_test_util.hpp"

// No `using namespace alertgate`: alertgate::DeadLetterStore (the in-memory one) would
// clash with wal::DeadLetterStore.
using alertgate::DeadLetter;
using alertgate::TimePoint;
using alertgate::testing::TempDir;
using alertgate::wal::dead_letter_file_name;
using alertgate::wal::DeadLetterFilter;
using alertgate::wal::DeadLetterOptions;
using alertgate::wal::DeadLetterStore;
using alertgate::wal::ListedDeadLetter;
using alertgate::wal::testing::sample_alert;
using alertgate::wal::testing::wait_for;
namespace fs = std::filesystem;

namespace {

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'800'000'000));

DeadLetter letter(const std::string& tenant, const std::string& dest, int alerts = 1,
                  TimePoint failed_at = kT0) {
  DeadLetter d;
  d.tenant_id = tenant;
  d.destination_name = dest;
  d.destination = dest.empty() ? "webhook(http://127.0.0.1:1/***)" : dest + ": webhook(…)";
  d.destination_type = "webhook";
  d.destination_key = std::hash<std::string>{}(tenant + dest);
  d.rule_key = 77;
  d.reason = "HTTP 400: invalid_payload";
  d.attempts = 3;
  d.first_attempt = failed_at - std::chrono::seconds(10);
  d.failed_at = failed_at;
  for (int i = 0; i < alerts; ++i) d.alerts.push_back(sample_alert(i));
  return d;
}

// A clock tests move by hand.
struct FakeClock {
  std::atomic<std::int64_t> ns{kT0.time_since_epoch().count()};
  TimePoint now() const { return TimePoint(std::chrono::nanoseconds(ns.load())); }
  void advance(std::chrono::seconds s) { ns += std::chrono::nanoseconds(s).count(); }
};

DeadLetterOptions options(const fs::path& dir, FakeClock& clock) {
  DeadLetterOptions o;
  o.dir = dir;
  o.now = [&clock] { return clock.now(); };
  return o;
}

// Collects stored(durable) results.
struct Stored {
  std::mutex mutex;
  std::vector<bool> results;
  std::function<void(bool)> callback() {
    return [this](bool durable) {
      std::lock_guard lock(mutex);
      results.push_back(durable);
    };
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return results.size();
  }
  bool all(bool value) {
    std::lock_guard lock(mutex);
    for (bool r : results) {
      if (r != value) return false;
    }
    return true;
  }
};

std::vector<std::uint64_t> ids(const std::vector<ListedDeadLetter>& listed) {
  std::vector<std::uint64_t> out;
  for (const auto& l : listed) out.push_back(l.letter.id);
  return out;
}

std::vector<std::string> dl_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::unique_ptr<DeadLetterStore> open_store(DeadLetterOptions o) {
  auto s = DeadLetterStore::open(std::move(o));
  if (!s.ok()) FAIL(s.error().message);
  return std::move(*s);
}

}  // namespace

TEST_CASE("dead letters: add then list with filters, limit, newest first (memory only)") {
  FakeClock clock;
  auto store = open_store(options({}, clock));
  Stored stored;
  CHECK(store->add(letter("t-a", "pager"), stored.callback()) == 1);
  CHECK(store->add(letter("t-b", "pager"), stored.callback()) == 2);
  CHECK(store->add(letter("t-a", ""), stored.callback()) == 3);
  CHECK(store->add(letter("t-a", "chat"), stored.callback()) == 4);

  CHECK(ids(store->list({}, 100)) == std::vector<std::uint64_t>{4, 3, 2, 1});
  CHECK(ids(store->list({}, 2)) == std::vector<std::uint64_t>{4, 3});
  CHECK(ids(store->list({"t-a", "", 0}, 100)) == std::vector<std::uint64_t>{4, 3, 1});
  CHECK(ids(store->list({"", "pager", 0}, 100)) == std::vector<std::uint64_t>{2, 1});
  CHECK(ids(store->list({"t-a", "pager", 0}, 100)) == std::vector<std::uint64_t>{1});
  // destination also matches the described destination of an unnamed one.
  CHECK(ids(store->list({"", "webhook(http://127.0.0.1:1/***)", 0}, 100)) ==
        std::vector<std::uint64_t>{3});
  CHECK(ids(store->list({"", "", 2}, 100)) == std::vector<std::uint64_t>{2});
  CHECK(store->list({"t-z", "", 0}, 100).empty());
  CHECK(store->list({}, 0).empty());

  const auto one = store->list({"", "", 4}, 1);
  REQUIRE(one.size() == 1);
  CHECK(one[0].letter.tenant_id == "t-a");
  CHECK(one[0].letter.alerts.size() == 1);
  CHECK_FALSE(one[0].replaying);
  CHECK_FALSE(one[0].durable);  // memory only

  // Memory only: every stored() runs (true) on the store thread.
  REQUIRE(wait_for([&] { return stored.count() == 4; }));
  CHECK(stored.all(true));
  const auto s = store->stats();
  CHECK(s.added == 4);
  CHECK(s.stored == 4);
  CHECK(s.write_errors == 0);
}

TEST_CASE("dead letters: written durably, everything back after a restart, ids continue") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "deadletters";
  FakeClock clock;
  Stored stored;
  {
    auto store = open_store(options(dir, clock));
    for (int i = 0; i < 5; ++i) {
      store->add(letter(i % 2 ? "t-odd" : "t-even", "pager", i + 1), stored.callback());
    }
    REQUIRE(wait_for([&] { return stored.count() == 5; }));
    CHECK(stored.all(true));
    for (const auto& l : store->list({}, 10)) CHECK(l.durable);
    store->stop();
    store->stop();  // idempotent
  }
  CHECK(dl_files(dir) ==
        std::vector<std::string>{dead_letter_file_name(1), dead_letter_file_name(2),
                                 dead_letter_file_name(3), dead_letter_file_name(4),
                                 dead_letter_file_name(5)});

  auto store = open_store(options(dir, clock));
  CHECK(store->stats().loaded == 5);
  const auto all = store->list({}, 10);
  REQUIRE(ids(all) == std::vector<std::uint64_t>{5, 4, 3, 2, 1});
  for (const auto& l : all) {
    const DeadLetter expect =
        letter(l.letter.id % 2 ? "t-even" : "t-odd", "pager", static_cast<int>(l.letter.id));
    CHECK(l.durable);
    CHECK(l.letter.tenant_id == expect.tenant_id);
    CHECK(l.letter.destination == expect.destination);
    CHECK(l.letter.destination_name == expect.destination_name);
    CHECK(l.letter.destination_key == expect.destination_key);
    CHECK(l.letter.rule_key == expect.rule_key);
    CHECK(l.letter.reason == expect.reason);
    CHECK(l.letter.attempts == expect.attempts);
    CHECK(l.letter.first_attempt == expect.first_attempt);
    CHECK(l.letter.failed_at == expect.failed_at);
    REQUIRE(l.letter.alerts.size() == expect.alerts.size());
    CHECK(l.letter.alerts.back().alert_id == expect.alerts.back().alert_id);
    CHECK(l.letter.alerts.back().labels == expect.alerts.back().labels);
  }
  CHECK(store->add(letter("t-new", "pager")) == 6);
}

TEST_CASE("dead letters: a corrupt file is quarantined on open, the others load") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "deadletters";
  FakeClock clock;
  {
    auto store = open_store(options(dir, clock));
    Stored stored;
    for (int i = 0; i < 4; ++i) store->add(letter("t-1", "pager"), stored.callback());
    REQUIRE(wait_for([&] { return stored.count() == 4; }));
  }
  // Letter 2: one byte flipped in the middle. Letter 4 (the highest id): cut short.
  const fs::path two = dir / dead_letter_file_name(2);
  {
    std::fstream f(two, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x7f');
  }
  fs::resize_file(dir / dead_letter_file_name(4), 30);
  // A write a crash interrupted, and a file that is not ours.
  std::ofstream(dir / (dead_letter_file_name(9) + ".tmp")) << "partial";
  std::ofstream(dir / "notes.txt") << "operator notes";

  auto store = open_store(options(dir, clock));
  const auto s = store->stats();
  CHECK(s.loaded == 2);
  CHECK(s.quarantined == 2);
  CHECK(ids(store->list({}, 10)) == std::vector<std::uint64_t>{3, 1});
  CHECK_FALSE(fs::exists(two));
  CHECK(fs::exists(dir / "quarantine" / dead_letter_file_name(2)));
  CHECK(fs::exists(dir / "quarantine" / dead_letter_file_name(4)));
  CHECK_FALSE(fs::exists(dir / (dead_letter_file_name(9) + ".tmp")));
  CHECK(fs::exists(dir / "notes.txt"));
  // Ids continue after the highest file, the quarantined one included.
  CHECK(store->add(letter("t-1", "pager")) == 5);
}

TEST_CASE("dead letters: purge by filter deletes the files, and that survives a restart") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "deadletters";
  FakeClock clock;
  {
    auto store = open_store(options(dir, clock));
    Stored stored;
    store->add(letter("t-a", "pager"), stored.callback());  // 1
    store->add(letter("t-b", "pager"), stored.callback());  // 2
    store->add(letter("t-a", "chat"), stored.callback());   // 3
    store->add(letter("t-a", "pager"), stored.callback());  // 4
    REQUIRE(wait_for([&] { return stored.count() == 4; }));

    CHECK(store->purge({"t-a", "pager", 0}) == 2);
    CHECK(store->purge({"t-a", "pager", 0}) == 0);
    CHECK(ids(store->list({}, 10)) == std::vector<std::uint64_t>{3, 2});
    CHECK(store->stats().purged == 2);
    store->stop();  // finishes the queued deletions
    CHECK(dl_files(dir) ==
          std::vector<std::string>{dead_letter_file_name(2), dead_letter_file_name(3)});
  }
  auto store = open_store(options(dir, clock));
  CHECK(ids(store->list({}, 10)) == std::vector<std::uint64_t>{3, 2});
  CHECK(store->purge({}) == 2);
  store->stop();
  CHECK(dl_files(dir).empty());
}

TEST_CASE("dead letters: replay marks letters, end_replay removes or unmarks them") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "deadletters";
  FakeClock clock;
  {
    auto store = open_store(options(dir, clock));
    Stored stored;
    for (int i = 0; i < 4; ++i)
      store->add(letter(i == 3 ? "t-b" : "t-a", "pager"), stored.callback());
    REQUIRE(wait_for([&] { return stored.count() == 4; }));

    // Oldest first, at most `limit`, marked.
    auto batch = store->begin_replay({"t-a", "", 0}, 2);
    REQUIRE(batch.size() == 2);
    CHECK(batch[0].id == 1);
    CHECK(batch[1].id == 2);
    CHECK(batch[0].alerts.size() == 1);
    CHECK(store->stats().replaying == 2);
    for (const auto& l : store->list({}, 10)) CHECK(l.replaying == (l.letter.id <= 2));
    // Not returned twice; the next one is.
    batch = store->begin_replay({"t-a", "", 0}, 10);
    REQUIRE(batch.size() == 1);
    CHECK(batch[0].id == 3);
    CHECK(store->begin_replay({"t-a", "", 0}, 10).empty());

    // Letters being replayed are not purged.
    CHECK(store->purge({"t-a", "", 0}) == 0);
    CHECK(store->purge({}) == 1);  // only 4 (t-b)

    CHECK(store->end_replay(1, true));        // delivered: gone
    CHECK(store->end_replay(2, false));       // failed again: stays, unmarked
    CHECK_FALSE(store->end_replay(2, true));  // no longer being replayed
    CHECK_FALSE(store->end_replay(99, true));
    const auto left = store->list({}, 10);
    REQUIRE(ids(left) == std::vector<std::uint64_t>{3, 2});
    CHECK(left[0].replaying);
    CHECK_FALSE(left[1].replaying);
    CHECK(store->stats().replayed == 1);
    CHECK(store->stats().replaying == 1);
    // Unmarked: can be replayed again.
    batch = store->begin_replay({"", "", 2}, 10);
    REQUIRE(batch.size() == 1);
    CHECK(batch[0].id == 2);
    store->stop();
    CHECK(dl_files(dir) ==
          std::vector<std::string>{dead_letter_file_name(2), dead_letter_file_name(3)});
  }
  // After a restart nothing is being replayed any more (the replay's deliveries died with
  // the process); the letters are still there.
  auto store = open_store(options(dir, clock));
  const auto all = store->list({}, 10);
  REQUIRE(ids(all) == std::vector<std::uint64_t>{3, 2});
  CHECK_FALSE(all[0].replaying);
  CHECK(store->begin_replay({}, 10).size() == 2);
}

TEST_CASE("dead letters: retention by count drops the oldest, not those being replayed") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "deadletters";
  FakeClock clock;
  auto o = options(dir, clock);
  o.max_count = 3;
  auto store = open_store(o);
  Stored stored;
  for (int i = 0; i < 5; ++i) store->add(letter("t-1", "pager"), stored.callback());
  CHECK(ids(store->list({}, 10)) == std::vector<std::uint64_t>{5, 4, 3});
  CHECK(store->stats().evicted == 2);

  REQUIRE(store->begin_replay({"", "", 3}, 1).size() == 1);
  store->add(letter("t-1", "pager"), stored.callback());  // 6: evicts 4, not 3
  CHECK(ids(store->list({}, 10)) == std::vector<std::uint64_t>{6, 5, 3});
  CHECK(store->stats().evicted == 3);
  REQUIRE(wait_for([&] { return stored.count() == 6; }));
  store->stop();
  CHECK(dl_files(dir) == std::vector<std::string>{dead_letter_file_name(3),
                                                  dead_letter_file_name(5),
                                                  dead_letter_file_name(6)});
  // At open too: a smaller max_count keeps the newest.
  o.max_count = 1;
  store = open_store(o);
  CHECK(ids(store->list({}, 10)) == std::vector<std::uint64_t>{6});
  CHECK(store->stats().evicted == 2);
  store->stop();
  CHECK(dl_files(dir) == std::vector<std::string>{dead_letter_file_name(6)});
}

TEST_CASE("dead letters: retention by age, periodically and at open, with an injected clock") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "deadletters";
  FakeClock clock;
  auto o = options(dir, clock);
  o.max_age = std::chrono::seconds(3600);
  o.sweep_interval = std::chrono::milliseconds(2);
  auto store = open_store(o);
  Stored stored;
  store->add(letter("t-1", "a", 1, kT0), stored.callback());                               // 1
  store->add(letter("t-1", "b", 1, kT0 + std::chrono::seconds(1800)), stored.callback());  // 2
  store->add(letter("t-1", "c", 1, kT0 + std::chrono::seconds(1800)), stored.callback());  // 3
  store->add(letter("t-1", "d", 1, TimePoint{}), stored.callback());  // 4: failed_at = now
  REQUIRE(wait_for([&] { return stored.count() == 4; }));
  CHECK(store->list({"", "", 4}, 1).at(0).letter.failed_at == kT0);
  CHECK(store->stats().evicted == 0);

  REQUIRE(store->begin_replay({"", "", 4}, 1).size() == 1);
  clock.advance(std::chrono::seconds(3601));  // 1 and 4 are too old; 4 is being replayed
  REQUIRE(wait_for([&] { return store->stats().evicted == 1; }));
  CHECK(ids(store->list({}, 10)) == std::vector<std::uint64_t>{4, 3, 2});
  CHECK(store->end_replay(4, false));
  REQUIRE(wait_for([&] { return store->stats().evicted == 2; }));
  CHECK(ids(store->list({}, 10)) == std::vector<std::uint64_t>{3, 2});
  store->stop();
  CHECK(dl_files(dir) ==
        std::vector<std::string>{dead_letter_file_name(2), dead_letter_file_name(3)});

  // At open: the rest are too old by now.
  clock.advance(std::chrono::seconds(1800));
  o.sweep_interval = std::chrono::hours(1);  // no periodic sweep in this part
  store = open_store(o);
  CHECK(store->list({}, 10).empty());
  CHECK(store->stats().evicted == 2);
  store->stop();
  CHECK(dl_files(dir).empty());
}

TEST_CASE("dead letters: a write that fails reports stored(false), counts it, keeps the letter") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "deadletters";
  FakeClock clock;
  auto store = open_store(options(dir, clock));
  // The directory turns into a regular file: creating a file in it fails with ENOTDIR,
  // also for root (chmod would not stop root).
  fs::remove_all(dir);
  std::ofstream(dir) << "not a directory";
  Stored stored;
  const auto id = store->add(letter("t-1", "pager"), stored.callback());
  REQUIRE(wait_for([&] { return stored.count() == 1; }));
  CHECK(stored.all(false));
  CHECK(store->stats().write_errors == 1);
  const auto listed = store->list({}, 10);
  REQUIRE(ids(listed) == std::vector<std::uint64_t>{id});
  CHECK_FALSE(listed[0].durable);
  store->stop();

  // After stop(): kept in memory, stored(false) at once on this thread.
  Stored late;
  const auto late_id = store->add(letter("t-1", "pager"), late.callback());
  CHECK(late.count() == 1);
  CHECK(late.all(false));
  CHECK(store->stats().write_errors == 2);
  CHECK(ids(store->list({}, 10)) == std::vector<std::uint64_t>{late_id, id});
}

TEST_CASE("dead letters: open fails with the path when the directory cannot be made") {
  TempDir tmp;
  std::ofstream(tmp.path() / "file") << "x";
  DeadLetterOptions o;
  o.dir = tmp.path() / "file" / "deadletters";
  auto store = DeadLetterStore::open(o);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().message.find("dead letters: cannot create") == 0);
  CHECK(store.error().message.find((tmp.path() / "file" / "deadletters").string()) !=
        std::string::npos);
}

TEST_CASE("dead letters: concurrent adds from several threads all get stored") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "deadletters";
  FakeClock clock;
  auto store = open_store(options(dir, clock));
  Stored stored;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i)
        store->add(letter("t-" + std::to_string(t), "p"), stored.callback());
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(wait_for([&] { return stored.count() == 100; }));
  CHECK(stored.all(true));
  store->stop();
  CHECK(dl_files(dir).size() == 100);
  CHECK(store->list({"t-2", "", 0}, 1000).size() == 25);
}
