// Helpers for the decoder tests: run a decoder on a body, look up labels, find offsets.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/decode.hpp"
#include "alertgate/time.hpp"

namespace alertgate::test {

inline const TimePoint kNow = parse_rfc3339("2026-08-20T12:00:00Z").value;

struct Decoded {
  DecodeReport report;
  std::vector<Alert> alerts;
  std::string body;  // as decoded (offsets refer to it)
};

inline Decoded decode_am(std::string body, DecodeLimits limits = {}) {
  Decoder decoder(limits);
  Decoded d;
  d.body = body;
  d.report = decoder.alertmanager_v2(body, kNow, d.alerts);
  return d;
}

inline Decoded decode_native(std::string body, DecodeLimits limits = {}) {
  Decoder decoder(limits);
  Decoded d;
  d.body = body;
  d.report = decoder.native(body, kNow, d.alerts);
  return d;
}

struct DecodedPd {
  PagerDutyReport pd;
  std::vector<Alert> alerts;
  std::string body;
};

inline DecodedPd decode_pd(std::string body, DecodeLimits limits = {}) {
  Decoder decoder(limits);
  DecodedPd d;
  d.body = body;
  d.pd = decoder.pagerduty(body, kNow, d.alerts);
  return d;
}

// The value of label `name`, or "<none>".
inline std::string label(const LabelSet& set, std::string_view name) {
  const std::string* v = find_label(set, name);
  return v ? *v : std::string("<none>");
}

inline TimePoint t(std::string_view rfc3339) { return parse_rfc3339(rfc3339).value; }

// Offset of the `nth` occurrence of `needle` in `body` (0-based), for expected offsets.
inline std::size_t pos(std::string_view body, std::string_view needle, int nth = 0) {
  std::size_t p = body.find(needle);
  while (nth-- > 0 && p != std::string_view::npos) p = body.find(needle, p + 1);
  REQUIRE(p != std::string_view::npos);
  return p;
}

// Checks the one error of a report.
inline void check_single_error(const DecodeReport& r, std::size_t index, std::size_t offset,
                               std::string_view fragment) {
  for (const auto& e : r.errors) UNSCOPED_INFO("error: " << e.message << " @" << e.offset);
  REQUIRE(r.errors.size() == 1);
  INFO("message: " << r.errors[0].message);
  CHECK(r.errors[0].index == index);
  CHECK(r.errors[0].offset == offset);
  CHECK_THAT(r.errors[0].message, Catch::Contains(std::string(fragment)));
}

inline void check_body_error(const DecodeReport& r, std::size_t offset, std::string_view fragment) {
  CHECK(r.body_error);
  CHECK(r.accepted == 0);
  CHECK(r.rejected == 1);
  check_single_error(r, DecodeError::kBodyError, offset, fragment);
}

// Labels sorted by name, names unique.
inline bool well_formed(const LabelSet& set) {
  for (std::size_t i = 1; i < set.size(); ++i) {
    if (!(set[i - 1].name < set[i].name)) return false;
  }
  return true;
}

}  // namespace alertgate::test
