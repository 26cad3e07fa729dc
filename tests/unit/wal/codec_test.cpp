#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "alertgate/wal/crc32c.hpp"
#include "alertgate/wal/record.hpp"
#include "alertgate/wal/segment_format.hpp"
#include "unit/wal/wal_test_util.hpp"

using namespace alertgate;
using namespace alertgate::wal;

namespace {

std::span<const std::byte> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

bool same_alert(const Alert& a, const Alert& b) {
  return a.labels == b.labels && a.annotations == b.annotations && a.starts_at == b.starts_at &&
         a.ends_at == b.ends_at && a.generator_url == b.generator_url &&
         a.severity_raw == b.severity_raw && a.dedup_key == b.dedup_key &&
         a.source_format == b.source_format && a.tenant_id == b.tenant_id &&
         a.severity == b.severity && a.status == b.status && a.rating == b.rating &&
         a.fingerprint == b.fingerprint && a.alert_id == b.alert_id &&
         a.received_at == b.received_at && a.trace == b.trace;
}

}  // namespace

TEST_CASE("wal: crc32c known vector, hardware and portable agree") {
  const std::string v = "123456789";
  CHECK(crc32c_portable(v.data(), v.size()) == 0xE3069283u);
  CHECK(crc32c(v.data(), v.size()) == 0xE3069283u);
  // Piecewise with the previous result as seed.
  CHECK(crc32c(v.data() + 4, 5, crc32c(v.data(), 4)) == 0xE3069283u);
  CHECK(crc32c_portable(v.data() + 4, 5, crc32c_portable(v.data(), 4)) == 0xE3069283u);
  if (crc32c_hardware_available()) {
    CHECK(crc32c_hardware(v.data(), v.size()) == 0xE3069283u);
    std::mt19937 rng(7);
    std::vector<unsigned char> buf(4096 + 16);
    for (auto& b : buf) b = static_cast<unsigned char>(rng());
    for (int i = 0; i < 500; ++i) {
      const std::size_t off = rng() % 16;  // every alignment
      const std::size_t len = rng() % 4096;
      INFO("offset " << off << " length " << len);
      REQUIRE(crc32c_hardware(buf.data() + off, len, 123) ==
              crc32c_portable(buf.data() + off, len, 123));
    }
  }
}

TEST_CASE("wal: alert codec round trip keeps every field") {
  for (int i = 0; i < 3; ++i) {
    Alert a = testing::sample_alert(i);
    if (i == 1) a = Alert{};  // all defaults, empty strings and sets
    if (i == 2) a.labels.push_back({std::string("a\0b", 3), std::string(70000, 'v')});
    std::string payload;
    encode_alert(a, payload);
    auto back = decode_alert(bytes_of(payload));
    REQUIRE(back.ok());
    CHECK(same_alert(a, *back));
    // Every strict prefix is an error, never a crash.
    for (std::size_t n = 0; n < payload.size(); n += (payload.size() > 1000 ? 97 : 1)) {
      CHECK_FALSE(decode_alert(bytes_of(payload.substr(0, n))).ok());
    }
    CHECK_FALSE(decode_alert(bytes_of(payload + "x")).ok());
  }
}

TEST_CASE("wal: outcome and done records round trip, bad enum values are errors") {
  OutcomeRecord o{"01JABC", 0x1234567890ABCDEFull, Outcome::dead_lettered};
  std::string p;
  encode_outcome(o, p);
  auto back = decode_outcome(bytes_of(p));
  REQUIRE(back.ok());
  CHECK(*back == o);
  p.back() = 9;
  CHECK_FALSE(decode_outcome(bytes_of(p)).ok());

  std::string d;
  encode_done("01JXYZ", d);
  REQUIRE(decode_done(bytes_of(d)).ok());
  CHECK(*decode_done(bytes_of(d)) == "01JXYZ");
  CHECK_FALSE(decode_done(bytes_of(d.substr(0, 5))).ok());

  Alert a = testing::sample_alert(1);
  std::string payload;
  encode_alert(a, payload);
  payload[0] = 2;  // unknown payload version
  CHECK_FALSE(decode_alert(bytes_of(payload)).ok());
}

TEST_CASE("wal: garbage never crashes the decoders") {
  std::mt19937 rng(42);
  std::string good;
  encode_alert(testing::sample_alert(3), good);
  int decoded = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string buf;
    if (i % 2 == 0) {
      buf.resize(rng() % 300);
      for (char& c : buf) c = static_cast<char>(rng());
    } else {
      // Mutations of a valid payload reach deeper into the decoder.
      buf = good;
      for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
        buf[rng() % buf.size()] = static_cast<char>(rng());
      }
    }
    decoded += decode_alert(bytes_of(buf)).ok() ? 1 : 0;
    (void)decode_outcome(bytes_of(buf));
    (void)decode_done(bytes_of(buf));
    RecordView rec;
    (void)parse_record(bytes_of(buf), rec);
    SegmentHeader h;
    (void)parse_segment_header(bytes_of(buf), h);
  }
  CHECK(decoded < 10000);
}

TEST_CASE("wal: record framing, checksum and the scan's torn-tail verdicts") {
  std::string seg;
  append_segment_header({kFormatVersion, 3, 42}, seg);
  SegmentHeader h;
  REQUIRE(parse_segment_header(bytes_of(seg), h) == HeaderStatus::ok);
  CHECK(h == SegmentHeader{kFormatVersion, 3, 42});
  REQUIRE(append_alert_record(testing::sample_alert(1), seg));
  REQUIRE(append_outcome_record({"id", 5, Outcome::delivered}, seg));
  const std::size_t two = seg.size();
  REQUIRE(append_done_record("id", seg));

  std::vector<RecordType> types;
  ScanEnd end = scan_records(bytes_of(seg),
                             [&](const RecordView& r, std::size_t) { types.push_back(r.type); });
  CHECK(end.status == RecordStatus::end);
  CHECK(types == std::vector{RecordType::alert, RecordType::outcome, RecordType::done});

  // Cut inside the last record: partial, torn tail at its start.
  end = scan_records(bytes_of(seg.substr(0, seg.size() - 2)), [](auto&, auto) {});
  CHECK(end.status == RecordStatus::partial);
  CHECK(end.torn_tail);
  CHECK(end.offset == two);

  // A flipped byte in the last record: bad checksum, still the tail.
  std::string last = seg;
  last.back() ^= 0x01;
  end = scan_records(bytes_of(last), [](auto&, auto) {});
  CHECK(end.status == RecordStatus::bad_crc);
  CHECK(end.torn_tail);

  // A flipped byte in the first record, with good records after it: middle corruption.
  std::string mid = seg;
  mid[kSegmentHeaderBytes + 20] ^= 0x40;
  end = scan_records(bytes_of(mid), [](auto&, auto) {});
  CHECK(end.status == RecordStatus::bad_crc);
  CHECK_FALSE(end.torn_tail);
  CHECK(end.offset == kSegmentHeaderBytes);

  // Zeros after the last good record (a crashed append on some file systems): torn tail.
  end = scan_records(bytes_of(seg + std::string(4096, '\0')), [](auto&, auto) {});
  CHECK(end.torn_tail);
  CHECK(end.offset == seg.size());

  CHECK(segment_file_name(42) == "0000000000000042.wal");
  CHECK(parse_segment_name("0000000000000042.wal") == 42u);
  CHECK_FALSE(parse_segment_name("000000000000042.wal"));
  CHECK_FALSE(parse_segment_name("00000000000000x2.wal"));
}
