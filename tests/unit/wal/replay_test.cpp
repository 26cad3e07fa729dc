#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <memory>

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

// Writes alerts 0..n-1 to shard 0 of `dir` (one commit each) and stops the writer.
std::vector<WalTicket> write_alerts(const std::filesystem::path& dir, int n,
                                    std::size_t segment_bytes = 64u << 20) {
  WalOptions o;
  o.dir = dir;
  o.segment_bytes = segment_bytes;
  auto w = WalWriter::open(o);
  REQUIRE(w.ok());
  std::vector<WalTicket> tickets(static_cast<std::size_t>(n));
  std::atomic<int> done{0};
  for (int i = 0; i < n; ++i) {
    (*w)->append(sample_alert(i, 50), [&, i](std::error_code ec, WalTicket t) {
      if (!ec) tickets[static_cast<std::size_t>(i)] = t;
      done.fetch_add(1);
    });
  }
  REQUIRE(wait_for([&] { return done.load() == n; }));
  (*w)->stop();
  return tickets;
}

void flip_byte(const std::filesystem::path& file, std::size_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5A);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

}  // namespace

TEST_CASE("wal: a torn tail is truncated at the last good record and reported") {
  TempDir dir;
  write_alerts(dir.path(), 5);
  const auto files = segment_files(dir.path() / "0");
  REQUIRE(files.size() == 1);
  const auto full = std::filesystem::file_size(files[0]);
  std::filesystem::resize_file(files[0], full - 10);  // cut inside the 5th record

  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  REQUIRE(r->alerts.size() == 4);
  REQUIRE(r->damage.size() == 1);
  const WalDamage& d = r->damage[0];
  CHECK(d.action == DamageAction::truncated);
  CHECK(d.reason == "partial");
  CHECK(d.file == files[0]);
  CHECK(std::filesystem::file_size(files[0]) == d.offset);
  CHECK(d.bytes_dropped == full - 10 - d.offset);

  auto again = replay_wal(dir.path());  // the repair is durable: nothing more to report
  REQUIRE(again.ok());
  CHECK(again->damage.empty());
  CHECK(again->alerts.size() == 4);
}

TEST_CASE("wal: a corrupt byte in a middle segment quarantines it, the others still replay") {
  TempDir dir;
  const auto tickets = write_alerts(dir.path(), 40, 2048);
  const auto files = segment_files(dir.path() / "0");
  REQUIRE(files.size() >= 4);
  const auto& victim = files[1];
  const std::uint64_t victim_seq = *parse_segment_name(victim.filename().string());
  const auto in_victim = std::count_if(tickets.begin(), tickets.end(),
                                       [&](WalTicket t) { return t.segment == victim_seq; });
  REQUIRE(in_victim > 0);
  flip_byte(victim, kSegmentHeaderBytes + 30);  // inside its first record

  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  REQUIRE(r->damage.size() == 1);
  const WalDamage& d = r->damage[0];
  CHECK(d.action == DamageAction::quarantined);
  CHECK(d.reason == "bad_crc");
  CHECK(d.offset == kSegmentHeaderBytes);
  CHECK_FALSE(std::filesystem::exists(victim));
  CHECK(std::filesystem::exists(d.moved_to));
  CHECK(d.moved_to.parent_path() == dir.path() / "0" / "quarantine");
  CHECK(static_cast<long>(r->alerts.size()) == 40 - in_victim);
  for (const ReplayedAlert& a : r->alerts) CHECK(a.ticket.segment != victim_seq);
  REQUIRE(r->shards.size() == 1);
  CHECK(r->shards[0].segments.size() == files.size() - 1);
}

TEST_CASE("wal: corruption followed by good records in the newest segment is not a tail") {
  TempDir dir;
  write_alerts(dir.path(), 6);
  const auto files = segment_files(dir.path() / "0");
  REQUIRE(files.size() == 1);
  // Third record: the first two replay (from quarantine, so without a ticket).
  std::string bytes(std::filesystem::file_size(files[0]), '\0');
  std::ifstream(files[0], std::ios::binary).read(bytes.data(), static_cast<long>(bytes.size()));
  std::size_t offset = kSegmentHeaderBytes;
  for (int i = 0; i < 2; ++i) {
    std::uint32_t len = 0;
    std::memcpy(&len, bytes.data() + offset, 4);
    offset += kRecordHeaderBytes + len;
  }
  flip_byte(files[0], offset + 12);

  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  REQUIRE(r->damage.size() == 1);
  CHECK(r->damage[0].action == DamageAction::quarantined);
  CHECK(r->damage[0].offset == offset);
  REQUIRE(r->alerts.size() == 2);
  CHECK_FALSE(r->alerts[0].ticket.valid());
  CHECK(r->shards[0].segments.empty());
}

TEST_CASE("wal: replay skips finished alerts and final deliveries, adopted segments get deleted") {
  TempDir dir;
  WalOptions o;
  o.dir = dir.path();
  o.shard = 1;
  o.segment_bytes = 1024;
  {
    auto w = WalWriter::open(o);
    REQUIRE(w.ok());
    std::vector<WalTicket> t(12);
    std::atomic<int> done{0};
    for (int i = 0; i < 12; ++i) {
      (*w)->append(sample_alert(i, 50), [&, i](std::error_code ec, WalTicket ticket) {
        if (!ec) t[static_cast<std::size_t>(i)] = ticket;
        done.fetch_add(1);
      });
    }
    REQUIRE(wait_for([&] { return done.load() == 12; }));
    // 0: one destination delivered, one open. 1: finished. 2..11: nothing final yet.
    (*w)->record_outcome({sample_alert(0).alert_id, 11, Outcome::delivered});
    (*w)->record_outcome({sample_alert(0).alert_id, 11, Outcome::delivered});  // repeat
    (*w)->record_outcome({sample_alert(1).alert_id, 11, Outcome::dead_lettered});
    (*w)->complete(t[1], sample_alert(1).alert_id);
    (*w)->stop();
  }
  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  CHECK(r->damage.empty());
  CHECK(r->alerts_finished == 1);
  REQUIRE(r->alerts.size() == 11);
  CHECK(r->alerts[0].alert.alert_id == sample_alert(0).alert_id);
  CHECK(r->alerts[0].final_destinations == std::vector<std::uint64_t>{11});
  CHECK(r->alerts[1].alert.alert_id == sample_alert(2).alert_id);
  CHECK(r->alerts[1].final_destinations.empty());
  for (const auto& a : r->alerts) CHECK(a.shard == 1);
  REQUIRE(r->shards.size() == 1);
  const auto old_segments = r->shards[0].segments;
  REQUIRE(old_segments.size() > 1);

  // The restarted writer adopts the old segments; completing every replayed alert lets
  // them go.
  o.recovered = old_segments;
  auto w = WalWriter::open(o);
  REQUIRE(w.ok());
  for (const auto& a : r->alerts) (*w)->complete(a.ticket, a.alert.alert_id);
  std::atomic<bool> synced{false};
  (*w)->append(sample_alert(77), [&](std::error_code, WalTicket) { synced.store(true); });
  REQUIRE(wait_for([&] { return synced.load(); }));
  CHECK(wait_for([&] { return segment_files(dir.path() / "1").size() == 1; }));
  (*w)->stop();
  auto after = replay_wal(dir.path());
  REQUIRE(after.ok());
  REQUIRE(after->alerts.size() == 1);
  CHECK(after->alerts[0].alert.alert_id == sample_alert(77).alert_id);
}

TEST_CASE("wal: a missing wal directory replays as empty") {
  TempDir dir;
  auto r = replay_wal(dir.path() / "nope");
  REQUIRE(r.ok());
  CHECK(r->alerts.empty());
  CHECK(r->damage.empty());
}

TEST_CASE(
    "wal: a newest segment cut inside its header is removed, an older bad header quarantined") {
  TempDir dir;
  write_alerts(dir.path(), 30, 2048);
  auto files = segment_files(dir.path() / "0");
  REQUIRE(files.size() >= 3);
  std::filesystem::resize_file(files.back(), 10);  // crash while creating the newest
  flip_byte(files[0], 3);                          // magic of the oldest

  auto r = replay_wal(dir.path());
  REQUIRE(r.ok());
  REQUIRE(r->damage.size() == 2);
  CHECK(r->damage[0].action == DamageAction::quarantined);
  CHECK(r->damage[0].reason == "bad_magic");
  CHECK(r->damage[1].action == DamageAction::truncated);
  CHECK(r->damage[1].reason == "partial_header");
  CHECK_FALSE(std::filesystem::exists(files.back()));
  CHECK(segment_files(dir.path() / "0").size() == files.size() - 2);
  CHECK_FALSE(r->alerts.empty());
}
