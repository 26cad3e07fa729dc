// libFuzzer target: the notification-log snapshot decoder on arbitrary bytes. The first
// byte picks what the rest is: a whole file, or a body behind a forged valid header (magic,
// version, the CRC32C of the body), so the fuzzer need not guess checksums. Checks: no
// crash, errors name a field and an offset inside the file, and every file that decodes
// re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "alertgate/wal/crc32c.hpp"
#include "alertgate/wal/notify_log_codec.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace alertgate::wal;

void check(std::span<const std::byte> file) {
  auto log = decode_notify_log(file);
  if (log.ok()) {
    std::string again;
    encode_notify_log(*log, again);
    AG_FUZZ_CHECK(std::string_view(reinterpret_cast<const char*>(file.data()), file.size()) ==
                  again);
    return;
  }
  const std::string& msg = log.error().message;
  AG_FUZZ_CHECK(msg.starts_with("notify log: bad "));
  const auto at = msg.find(" at offset ");
  AG_FUZZ_CHECK(at != std::string::npos);
  std::size_t offset = 0;
  for (std::size_t i = at + 11; i < msg.size() && msg[i] >= '0' && msg[i] <= '9'; ++i) {
    offset = offset * 10 + static_cast<std::size_t>(msg[i] - '0');
  }
  AG_FUZZ_CHECK(offset <= file.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::byte> rest(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  if (data[0] % 2 == 0) {
    check(rest);
    return 0;
  }
  std::string file = "AGNL";
  file.push_back(static_cast<char>(kNotifyLogVersion & 0xFF));
  file.push_back(static_cast<char>(kNotifyLogVersion >> 8));
  const std::uint32_t crc = crc32c(rest.data(), rest.size());
  for (int i = 0; i < 4; ++i) file.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  file.append(reinterpret_cast<const char*>(rest.data()), rest.size());
  check({reinterpret_cast<const std::byte*>(file.data()), file.size()});
  return 0;
}
