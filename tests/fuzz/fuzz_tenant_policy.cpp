// libFuzzer target: load_tenant_policy (and lint_tenant_policy on what loads) on arbitrary
// text must never crash, leak or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "alertgate/tenant_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = alertgate::load_tenant_policy(text, "fuzz.yaml");
  if (result) {
    for (const auto& rule : result->rules) {
      for (const auto& d : rule.destinations) (void)alertgate::describe(d);
    }
    for (const auto& w : alertgate::lint_tenant_policy(*result)) (void)alertgate::to_string(w);
  } else {
    for (const auto& e : result.error()) (void)alertgate::to_string(e);
  }
  return 0;
}
