// libFuzzer target: Decoder::alertmanager_v2 on arbitrary bytes. Besides crashes and
// sanitizer reports, checks the report/alert invariants and that a reused decoder gives the
// same answer twice.
#include <cstddef>
#include <cstdint>

#include "alertgate/decode.hpp"
#include "decode_invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace alertgate;
  return fuzz::run_batch_decoder(data, size, &Decoder::alertmanager_v2,
                                 SourceFormat::alertmanager_v2);
}
