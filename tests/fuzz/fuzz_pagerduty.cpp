// libFuzzer target: Decoder::pagerduty on arbitrary bytes. Besides crashes and sanitizer
// reports, checks the report/alert invariants, the one-event rules and that a reused decoder
// gives the same answer twice.
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
  std::vector<Alert> out;
  const PagerDutyReport pd = decoder.pagerduty(body, now, out);
  const DecodeReport& r = pd.report;
  AG_FUZZ_CHECK(body == original);
  fuzz::check_report(r, original, out, 0, SourceFormat::pagerduty);
  AG_FUZZ_CHECK(r.accepted + r.rejected == 1);  // exactly one event per request
  AG_FUZZ_CHECK(valid_utf8(pd.routing_key) && valid_utf8(pd.dedup_key) &&
                valid_utf8(pd.event_action));
  if (r.accepted == 1) {
    const Alert& a = out[0];
    AG_FUZZ_CHECK(!pd.routing_key.empty());
    AG_FUZZ_CHECK(pd.event_action == "trigger" || pd.event_action == "acknowledge" ||
                  pd.event_action == "resolve");
    AG_FUZZ_CHECK(a.dedup_key == pd.dedup_key);
    AG_FUZZ_CHECK(find_label(a.labels, "alertname") != nullptr);
    AG_FUZZ_CHECK((a.ends_at == now) == (pd.event_action == "resolve"));
  }

  std::string again = original;
  std::vector<Alert> out2;
  const PagerDutyReport pd2 = decoder.pagerduty(again, now, out2);
  AG_FUZZ_CHECK(fuzz::same(r, pd2.report));
  AG_FUZZ_CHECK(pd2.routing_key == pd.routing_key && pd2.dedup_key == pd.dedup_key);
  return 0;
}
