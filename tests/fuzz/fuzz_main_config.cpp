// libFuzzer target: load_main_config on arbitrary text must never crash, leak or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "alertgate/main_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = alertgate::load_main_config(text, "/etc/alertgate/alertgate.yaml");
  if (!result) {
    for (const auto& e : result.error()) (void)alertgate::to_string(e);
  }
  // The value parsers see the same bytes directly.
  (void)alertgate::parse_duration(text);
  (void)alertgate::parse_byte_size(text);
  (void)alertgate::parse_listen_address(text);
  return 0;
}
