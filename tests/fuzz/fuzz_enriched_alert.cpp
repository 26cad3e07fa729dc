// libFuzzer target: decode_enriched_alert (the Kafka message value a router reads) on
// arbitrary bytes. Besides crashes and sanitizer reports, checks the error and alert
// invariants and the round trip: an accepted value, written again by append_alert_json
// (compiled into this target from src/sinks), decodes to the same alert and the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "alertgate/alert_json.hpp"
#include "alertgate/enriched_alert.hpp"
#include "decode_invariants.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace alertgate;

bool same_wire_fields(const Alert& a, const Alert& b) {
  return a.alert_id == b.alert_id && a.tenant_id == b.tenant_id && a.fingerprint == b.fingerprint &&
         a.status == b.status && a.severity == b.severity && a.rating == b.rating &&
         a.labels == b.labels && a.annotations == b.annotations && a.starts_at == b.starts_at &&
         a.ends_at == b.ends_at && a.generator_url == b.generator_url &&
         a.dedup_key == b.dedup_key && a.received_at == b.received_at &&
         a.source_format == b.source_format && a.trace == b.trace;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static EnrichedAlertDecoder decoder;  // reused across inputs, as on a router thread
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto first = decoder.decode(input);
  if (!first.ok()) {
    const DecodeError& e = first.error();
    AG_FUZZ_CHECK(e.index == DecodeError::kBodyError);
    AG_FUZZ_CHECK(e.offset <= size);
    AG_FUZZ_CHECK(!e.message.empty() && valid_utf8(e.message));
    auto again = decoder.decode(input);  // a reused decoder answers the same
    AG_FUZZ_CHECK(!again.ok() && again.error().offset == e.offset &&
                  again.error().message == e.message);
    return 0;
  }
  const Alert& a = *first;
  AG_FUZZ_CHECK(!a.labels.empty());
  fuzz::check_set(a.labels, /*prometheus_names=*/true);
  fuzz::check_set(a.annotations, /*prometheus_names=*/false);
  fuzz::check_time(a.starts_at);
  fuzz::check_time(a.ends_at);
  fuzz::check_time(a.received_at);
  AG_FUZZ_CHECK(a.rating <= 100);
  AG_FUZZ_CHECK(valid_utf8(a.alert_id) && valid_utf8(a.tenant_id) && valid_utf8(a.trace) &&
                valid_utf8(a.generator_url) && valid_utf8(a.dedup_key));

  std::string json;
  append_alert_json(json, a);
  auto second = decoder.decode(json);
  AG_FUZZ_CHECK(second.ok());
  AG_FUZZ_CHECK(same_wire_fields(a, *second));
  std::string json2;
  append_alert_json(json2, *second);
  AG_FUZZ_CHECK(json == json2);
  return 0;
}
