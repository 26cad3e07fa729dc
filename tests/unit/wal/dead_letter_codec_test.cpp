#include <catch2/catch.hpp>

#include <string>

#include "alertgate/wal/crc32c.hpp"
#include "alertgate/wal/dead_letter_codec.hpp"
#include "alertgate/wal/record.hpp"
#include "unit/wal/wal_test_util.hpp"

using namespace alertgate;
using namespace alertgate::wal;

namespace {

std::span<const std::byte> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

DeadLetter sample_letter() {
  DeadLetter d;
  d.id = 0x0102030405060708ull;
  d.tenant_id = "t-1024";
  d.destination = "db-pager: webhook(https://hooks.example/***)";
  d.destination_name = "db-pager";
  d.destination_type = "webhook";
  d.destination_key = 0xDEADBEEFCAFEF00Dull;
  d.rule_key = 0x1234567890ABCDEFull;
  d.group_key = 0xFEDCBA0987654321ull;
  d.group_labels = {{"alertname", "DiskFull"}, {"team", "db"}};
  d.reason = "HTTP 400: invalid_payload";
  d.attempts = 7;
  d.first_attempt = TimePoint(std::chrono::nanoseconds(1'700'000'000'000'000'001LL));
  d.failed_at = TimePoint(std::chrono::nanoseconds(-42));
  for (int i = 0; i < 3; ++i) d.alerts.push_back(testing::sample_alert(i, 10 * i));
  d.alerts[2].labels.push_back({"zone", std::string("a\0b", 3)});
  d.alerts[1].annotations.push_back({"runbook", "https://runbooks/disk"});
  return d;
}

void check_same(const DeadLetter& a, const DeadLetter& b) {
  CHECK(a.id == b.id);
  CHECK(a.tenant_id == b.tenant_id);
  CHECK(a.destination == b.destination);
  CHECK(a.destination_name == b.destination_name);
  CHECK(a.destination_type == b.destination_type);
  CHECK(a.destination_key == b.destination_key);
  CHECK(a.rule_key == b.rule_key);
  CHECK(a.group_key == b.group_key);
  CHECK(a.group_labels == b.group_labels);
  CHECK(a.reason == b.reason);
  CHECK(a.attempts == b.attempts);
  CHECK(a.first_attempt == b.first_attempt);
  CHECK(a.failed_at == b.failed_at);
  REQUIRE(a.alerts.size() == b.alerts.size());
  for (std::size_t i = 0; i < a.alerts.size(); ++i) {
    const Alert& x = a.alerts[i];
    const Alert& y = b.alerts[i];
    CHECK(x.labels == y.labels);
    CHECK(x.annotations == y.annotations);
    CHECK(x.starts_at == y.starts_at);
    CHECK(x.ends_at == y.ends_at);
    CHECK(x.generator_url == y.generator_url);
    CHECK(x.severity_raw == y.severity_raw);
    CHECK(x.dedup_key == y.dedup_key);
    CHECK(x.source_format == y.source_format);
    CHECK(x.tenant_id == y.tenant_id);
    CHECK(x.severity == y.severity);
    CHECK(x.status == y.status);
    CHECK(x.rating == y.rating);
    CHECK(x.fingerprint == y.fingerprint);
    CHECK(x.alert_id == y.alert_id);
    CHECK(x.received_at == y.received_at);
    CHECK(x.trace == y.trace);
  }
}

}  // namespace

TEST_CASE("dead letter codec: round trip keeps every field and every alert") {
  const DeadLetter d = sample_letter();
  std::string file;
  encode_dead_letter(d, file);
  REQUIRE(file.substr(0, 4) == "AGDL");
  CHECK(file[4] == 1);
  CHECK(file[5] == 0);
  auto back = decode_dead_letter(bytes_of(file));
  REQUIRE(back.ok());
  check_same(d, *back);
  CHECK(back->alerts[2].labels.back().value == std::string("a\0b", 3));

  std::string again;
  encode_dead_letter(*back, again);
  CHECK(again == file);

  // Defaults: empty strings, no alerts.
  std::string empty_file;
  encode_dead_letter(DeadLetter{}, empty_file);
  auto empty = decode_dead_letter(bytes_of(empty_file));
  REQUIRE(empty.ok());
  check_same(DeadLetter{}, *empty);
}

TEST_CASE("dead letter codec: every truncation is an error with a field and an offset") {
  std::string file;
  encode_dead_letter(sample_letter(), file);
  for (std::size_t n = 0; n < file.size(); ++n) {
    const std::string cut = file.substr(0, n);
    auto r = decode_dead_letter(bytes_of(cut));
    INFO("length " << n);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("dead letter: bad ") == 0);
    CHECK(r.error().message.find(" at offset ") != std::string::npos);
  }
  CHECK(decode_dead_letter(bytes_of(file.substr(0, 3))).error().message ==
        "dead letter: bad header at offset 0: file has 3 bytes, need 10");
  CHECK(decode_dead_letter(bytes_of(file.substr(0, 20))).error().message ==
        "dead letter: bad crc at offset 6: checksum mismatch");
}

TEST_CASE("dead letter codec: a changed byte anywhere is refused") {
  std::string file;
  encode_dead_letter(sample_letter(), file);
  for (std::size_t i = 0; i < file.size(); ++i) {
    std::string bad = file;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    INFO("byte " << i);
    REQUIRE_FALSE(decode_dead_letter(bytes_of(bad)).ok());
  }
  std::string bad = file;
  bad[0] = 'X';
  CHECK(decode_dead_letter(bytes_of(bad)).error().message == "dead letter: bad magic at offset 0");
  bad = file;
  bad[4] = 2;
  CHECK(decode_dead_letter(bytes_of(bad)).error().message ==
        "dead letter: bad version at offset 4: unknown version 2");
}

// With a valid checksum (as a bug in a writer would produce), the structure checks still
// name the field and the file offset.
TEST_CASE("dead letter codec: structural errors behind a valid checksum name field and offset") {
  const auto reseal = [](std::string& f) {
    const std::uint32_t crc = crc32c(f.data() + 10, f.size() - 10);
    for (int i = 0; i < 4; ++i) f[6 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  };
  DeadLetter d = sample_letter();
  std::string file;
  encode_dead_letter(d, file);

  std::string trailing = file + "x";
  reseal(trailing);
  CHECK(decode_dead_letter(bytes_of(trailing)).error().message ==
        "dead letter: bad length at offset " + std::to_string(file.size()) + ": trailing bytes");

  // The tenant_id length (offset 18, after the 8-byte id) claims more than the file holds.
  std::string long_tenant = file;
  long_tenant[18 + 3] = 0x7F;
  reseal(long_tenant);
  CHECK(decode_dead_letter(bytes_of(long_tenant)).error().message ==
        "dead letter: bad tenant_id at offset 18");

  // A damaged first alert: its payload version byte.
  d.alerts.resize(1);
  std::string one;
  encode_dead_letter(d, one);
  // The alert count is the 4 bytes before the first alert's length prefix; find the
  // payload by its version byte right after the length.
  std::string alert_payload;
  encode_alert(d.alerts[0], alert_payload);
  const std::size_t alert_at = one.size() - alert_payload.size() - 4;
  one[alert_at + 4] = 9;  // unknown alert payload version
  reseal(one);
  CHECK(decode_dead_letter(bytes_of(one)).error().message ==
        "dead letter: bad alerts[0] at offset " + std::to_string(alert_at) +
            ": alert record: bad version at offset 1");

  // An alert count no file could hold is refused before any allocation.
  std::string count = one;
  for (int i = 0; i < 4; ++i) count[alert_at - 4 + i] = static_cast<char>(0xFF);
  reseal(count);
  CHECK(decode_dead_letter(bytes_of(count)).error().message ==
        "dead letter: bad alert count at offset " + std::to_string(alert_at - 4));
}

TEST_CASE("dead letter codec: file names") {
  CHECK(dead_letter_file_name(42) == "00000000000000000042.dl");
  CHECK(dead_letter_file_name(UINT64_MAX) == "18446744073709551615.dl");
  CHECK(parse_dead_letter_name("00000000000000000042.dl") == 42u);
  CHECK(parse_dead_letter_name(dead_letter_file_name(UINT64_MAX)) == UINT64_MAX);
  CHECK_FALSE(parse_dead_letter_name("00000000000000000042.dl.tmp"));
  CHECK_FALSE(parse_dead_letter_name("0000000000000000042.dl"));
  CHECK_FALSE(parse_dead_letter_name("99999999999999999999.dl"));  // above UINT64_MAX
  CHECK_FALSE(parse_dead_letter_name("0000000000000000004x.dl"));
  CHECK_FALSE(parse_dead_letter_name("00000000000000000042.wal"));
}
