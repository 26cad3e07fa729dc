// Invariants every decoder result must satisfy, whatever the input. Shared by the decoder
// fuzz targets; a violation aborts so libFuzzer records the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/decode.hpp"
#include "alertgate/json_text.hpp"
#include "alertgate/time.hpp"
#include "fuzz_check.hpp"

namespace alertgate::fuzz {

inline bool label_name_ok(std::string_view n) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

inline void check_set(const LabelSet& set, bool prometheus_names) {
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (i > 0) AG_FUZZ_CHECK(set[i - 1].name < set[i].name);  // sorted and unique
    AG_FUZZ_CHECK(!set[i].name.empty());
    if (prometheus_names) AG_FUZZ_CHECK(label_name_ok(set[i].name));
    AG_FUZZ_CHECK(valid_utf8(set[i].name));
    AG_FUZZ_CHECK(valid_utf8(set[i].value));
  }
}

inline void check_time(TimePoint t) {
  if (t == TimePoint{}) return;
  const ParsedTime back = parse_rfc3339(format_rfc3339(t));
  AG_FUZZ_CHECK(back.status == TimeParse::ok && back.value == t);
}

inline void check_report(const DecodeReport& r, std::string_view body,
                         const std::vector<Alert>& out, std::size_t first, SourceFormat format) {
  AG_FUZZ_CHECK(out.size() - first == r.accepted);
  AG_FUZZ_CHECK(r.errors.empty() == (r.rejected == 0));
  if (r.body_error) {
    AG_FUZZ_CHECK(r.accepted == 0 && r.rejected == 1 && r.errors.size() == 1);
    AG_FUZZ_CHECK(r.errors[0].index == DecodeError::kBodyError);
  }
  for (const DecodeError& e : r.errors) {
    AG_FUZZ_CHECK(e.offset <= body.size());
    AG_FUZZ_CHECK(!e.message.empty());
    AG_FUZZ_CHECK(valid_utf8(e.message));
    AG_FUZZ_CHECK(r.body_error == (e.index == DecodeError::kBodyError));
  }
  for (std::size_t i = first; i < out.size(); ++i) {
    const Alert& a = out[i];
    AG_FUZZ_CHECK(!a.labels.empty());
    AG_FUZZ_CHECK(a.source_format == format);
    check_set(a.labels, /*prometheus_names=*/true);
    check_set(a.annotations, /*prometheus_names=*/false);
    AG_FUZZ_CHECK(valid_utf8(a.generator_url) && valid_utf8(a.severity_raw) &&
                  valid_utf8(a.dedup_key));
    check_time(a.starts_at);
    check_time(a.ends_at);
    if (a.starts_at != TimePoint{} && a.ends_at != TimePoint{}) {
      AG_FUZZ_CHECK(!(a.ends_at < a.starts_at) || format == SourceFormat::pagerduty);
    }
    AG_FUZZ_CHECK(a.tenant_id.empty() && a.fingerprint == 0 && a.alert_id.empty());
  }
}

inline bool same(const DecodeReport& a, const DecodeReport& b) {
  if (a.accepted != b.accepted || a.rejected != b.rejected || a.body_error != b.body_error ||
      a.errors.size() != b.errors.size())
    return false;
  for (std::size_t i = 0; i < a.errors.size(); ++i) {
    if (a.errors[i].index != b.errors[i].index || a.errors[i].offset != b.errors[i].offset ||
        a.errors[i].message != b.errors[i].message)
      return false;
  }
  return true;
}

// One fuzz input through a batch decoder (`method` is &Decoder::alertmanager_v2 or
// &Decoder::native): the body is left unchanged, the report and alerts keep their
// invariants, and a reused decoder answers the same the second time.
using BatchDecode = DecodeReport (Decoder::*)(std::string&, TimePoint, std::vector<Alert>&);
inline int run_batch_decoder(const std::uint8_t* data, std::size_t size, BatchDecode method,
                             SourceFormat format) {
  static Decoder decoder;  // reused across inputs, as on a reactor
  const TimePoint now = parse_rfc3339("2026-08-20T12:00:00Z").value;
  const std::string original(reinterpret_cast<const char*>(data), size);

  std::string body = original;
  std::vector<Alert> out(1);  // decoders append
  const DecodeReport r = (decoder.*method)(body, now, out);
  AG_FUZZ_CHECK(body == original);
  check_report(r, original, out, 1, format);

  std::string again = original;
  std::vector<Alert> out2;
  const DecodeReport r2 = (decoder.*method)(again, now, out2);
  AG_FUZZ_CHECK(same(r, r2));
  AG_FUZZ_CHECK(out2.size() == r.accepted);
  return 0;
}

}  // namespace alertgate::fuzz
