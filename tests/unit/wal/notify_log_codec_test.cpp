#include "alertgate/wal/notify_log_codec.hpp"

#include <catch2/catch.hpp>

using namespace alertgate;
using namespace alertgate::wal;

namespace {
std::span<const std::byte> bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
}  // namespace

TEST_CASE("wal: the notification log round-trips and refuses damage with an offset") {
  const std::vector<NotifyLogEntry> entries = {
      {"t-1024", 0x1122334455667788ull, TimePoint(std::chrono::seconds(1'780'000'000)), {1, 5, 9}},
      {"acme", 7, TimePoint(std::chrono::nanoseconds(-1)), {}},
  };
  std::string file;
  encode_notify_log(entries, file);
  auto back = decode_notify_log(bytes(file));
  REQUIRE(back.ok());
  CHECK(*back == entries);

  std::string empty;
  encode_notify_log({}, empty);
  REQUIRE(decode_notify_log(bytes(empty)).ok());
  CHECK(decode_notify_log(bytes(empty))->empty());

  for (std::size_t cut = 0; cut < file.size(); ++cut) {
    auto r = decode_notify_log(bytes(file.substr(0, cut)));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("notify log: bad ") == 0);
  }
  std::string flipped = file;
  flipped[20] ^= 0x40;
  auto r = decode_notify_log(bytes(flipped));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "notify log: bad crc at offset 6");
}
