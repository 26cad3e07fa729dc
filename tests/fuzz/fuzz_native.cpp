// libFuzzer target: Decoder::native on arbitrary bytes. Besides crashes and
// sanitizer reports, checks the report/alert invariants and that a reused decoder gives the
// same answer twice.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "alertgate/decode.hpp"
#include "decode_invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace alertgate;
  static Decoder decoder;  // reused across inputs, as on a reactor
  const TimePoint now = parse_rfc3339("2026-08-20T12:00:00Z").value;
  const std::string original(reinterpret_cast<const char*>(data), size);

  std::string body = original;
  std::vector<Alert> out(1);  // decoders append
  const DecodeReport r = decoder.native(body, now, out);
  AG_FUZZ_CHECK(body == original);
  fuzz::check_report(r, original, out, 1, SourceFormat::native);

  std::string again = original;
  std::vector<Alert> out2;
  const DecodeReport r2 = decoder.native(again, now, out2);
  AG_FUZZ_CHECK(fuzz::same(r, r2));
  AG_FUZZ_CHECK(out2.size() == r.accepted);
  return 0;
}
