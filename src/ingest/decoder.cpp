// Decoder: the entry points. Opens the body, checks its root shape, runs the batch loop
// (alert limits, per-alert rejection, stopping at a syntax error) and fills the report.
// The formats themselves are in alertmanager_v2.cpp, native.cpp and pagerduty.cpp.
#include "alertgate/decode.hpp"

#include <fmt/format.h>

#include <utility>

#include "ingest/body.hpp"
#include "ingest/formats.hpp"
#include "ingest/json_reader.hpp"

namespace alertgate {

using ingest::JsonReader;
using ingest::Step;
namespace od = simdjson::ondemand;

struct Decoder::Impl {
  explicit Impl(DecodeLimits l) : limits(l) {}
  DecodeLimits limits;
  od::parser parser;  // reused: its buffers grow to the largest body seen, then stay
  ingest::Scratch scratch;
};

Decoder::Decoder(DecodeLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
Decoder::~Decoder() = default;

namespace {

using AlertFn = Step (*)(JsonReader&, od::object&, std::size_t, Alert&);

// A batch element or a root object that must be an alert object.
Step decode_element(JsonReader& r, od::value& value, AlertFn decode, Alert& alert) {
  const char* start = value.raw_json_token().data();
  od::json_type type;
  if (auto error = value.type().get(type)) return r.syntax_error(error, start);
  if (type != od::json_type::object) {
    return r.fail(r.offset_of(start), {},
                  fmt::format("expected an alert object, got {}", ingest::type_name(type)));
  }
  od::object object;
  if (auto error = value.get_object().get(object)) return r.syntax_error(error);
  return decode(r, object, r.offset_of(start), alert);
}

// Returns false when a syntax error stopped the loop (already recorded and counted).
bool decode_batch(JsonReader& r, od::array& array, AlertFn decode, std::vector<Alert>& out) {
  DecodeReport& report = r.report();
  const std::size_t max_alerts = r.limits().max_alerts;
  std::size_t index = 0;
  for (auto element : array) {
    r.enter_alert(index, /*in_array=*/true);
    if (auto error = element.error()) {
      r.syntax_error(error);
      ++report.rejected;  // the rest of the array, however many that was
      return false;
    }
    od::value value = element.value_unsafe();
    if (index >= max_alerts) {
      // Count the extra alerts without decoding them.
      od::json_type type;
      if (auto error = value.type().get(type)) {
        r.syntax_error(error, value.raw_json_token().data());
        ++report.rejected;
        return false;
      }
      if (index == max_alerts) {
        r.fail(r.offset_of(value), {},
               fmt::format("too many alerts in one request (max {})", max_alerts));
      }
      ++report.rejected;
      ++index;
      continue;
    }
    Alert& alert = out.emplace_back();
    const Step step = decode_element(r, value, decode, alert);
    if (step == Step::ok) {
      ++report.accepted;
    } else {
      out.pop_back();
      ++report.rejected;  // for fatal: this alert and the unknown rest count as one
      if (step == Step::fatal) return false;
    }
    ++index;
  }
  return true;
}

// The body turned out unusable after some alerts were decoded (trailing garbage): nothing
// counts but the body error, which is the last error recorded.
void void_batch(DecodeReport& report, std::vector<Alert>& out, std::size_t first) {
  out.resize(first);
  report.accepted = 0;
  report.rejected = 1;
  report.errors.erase(report.errors.begin(), report.errors.end() - 1);
}

void body_failed(DecodeReport& report) {
  report.accepted = 0;
  report.rejected = 1;
}

// A syntax error in the one object of a body: the body is not JSON. Only that error is kept,
// as a body error (the position it names stays useful).
void single_object_fatal(DecodeReport& report) {
  report.errors.erase(report.errors.begin(), report.errors.end() - 1);
  report.errors.back().index = DecodeError::kBodyError;
  report.body_error = true;
  body_failed(report);
}

// The body is a JSON array of alerts.
void decode_array(JsonReader& r, od::document& doc, AlertFn decode, std::vector<Alert>& out) {
  DecodeReport& report = r.report();
  od::array array;
  if (auto error = doc.get_array().get(array)) {
    ingest::unbalanced_root(r, error);
    return body_failed(report);
  }
  const std::size_t first = out.size();
  if (decode_batch(r, array, decode, out) && !ingest::check_body_end(r, doc)) {
    void_batch(report, out, first);
  }
}

// The body is a single alert object.
void decode_single(JsonReader& r, od::document& doc, AlertFn decode, std::vector<Alert>& out) {
  DecodeReport& report = r.report();
  od::object object;
  if (auto error = doc.get_object().get(object)) {
    ingest::unbalanced_root(r, error);
    return body_failed(report);
  }
  r.enter_alert(0, /*in_array=*/false);
  Alert alert;
  const Step step = decode(r, object, r.root_offset(), alert);
  if (step == Step::fatal) return single_object_fatal(report);
  if (step != Step::ok) {
    report.rejected = 1;
    return;
  }
  if (!ingest::check_body_end(r, doc)) {
    report.errors.erase(report.errors.begin(), report.errors.end() - 1);
    return body_failed(report);
  }
  out.push_back(std::move(alert));
  report.accepted = 1;
}

}  // namespace

namespace {

// The two batch formats: open the body, then an array of alerts, or (native only) one alert
// object at the root. `expected` names the allowed roots in the error.
DecodeReport decode_alerts(std::string& body, od::parser& parser, const DecodeLimits& limits,
                           ingest::Scratch& scratch, AlertFn decode, bool allow_object,
                           std::string_view expected, std::vector<Alert>& out) {
  DecodeReport report;
  ingest::pad(body);
  JsonReader r(body, limits, report, scratch);
  od::document doc;
  od::json_type type;
  if (!ingest::open_body(body, parser, r, doc, type)) {
    body_failed(report);
  } else if (type == od::json_type::array) {
    decode_array(r, doc, decode, out);
  } else if (allow_object && type == od::json_type::object) {
    decode_single(r, doc, decode, out);
  } else {
    ingest::wrong_root_type(r, expected);
    body_failed(report);
  }
  return report;
}

}  // namespace

DecodeReport Decoder::alertmanager_v2(std::string& body, TimePoint /*now*/,
                                      std::vector<Alert>& out) {
  return decode_alerts(body, impl_->parser, impl_->limits, impl_->scratch,
                       ingest::decode_am_v2_alert, /*allow_object=*/false, "a JSON array of alerts",
                       out);
}

DecodeReport Decoder::native(std::string& body, TimePoint /*now*/, std::vector<Alert>& out) {
  return decode_alerts(body, impl_->parser, impl_->limits, impl_->scratch,
                       ingest::decode_native_alert, /*allow_object=*/true,
                       "a JSON object or an array of alert objects", out);
}

PagerDutyReport Decoder::pagerduty(std::string& body, TimePoint now, std::vector<Alert>& out) {
  PagerDutyReport result;
  DecodeReport& report = result.report;
  ingest::pad(body);
  JsonReader r(body, impl_->limits, report, impl_->scratch);
  od::document doc;
  od::json_type type;
  if (!ingest::open_body(body, impl_->parser, r, doc, type)) {
    body_failed(report);
    return result;
  }
  if (type != od::json_type::object) {
    ingest::wrong_root_type(r, "a JSON object (one PagerDuty event)");
    body_failed(report);
    return result;
  }
  od::object object;
  if (auto error = doc.get_object().get(object)) {
    ingest::unbalanced_root(r, error);
    body_failed(report);
    return result;
  }
  r.enter_alert(0, /*in_array=*/false);
  Alert alert;
  const Step step = ingest::decode_pagerduty_event(r, object, r.root_offset(), now, alert, result);
  if (step == Step::fatal) {
    single_object_fatal(report);
  } else if (step != Step::ok) {
    report.rejected = 1;
  } else if (!ingest::check_body_end(r, doc)) {
    report.errors.erase(report.errors.begin(), report.errors.end() - 1);
    body_failed(report);
  } else {
    out.push_back(std::move(alert));
    report.accepted = 1;
  }
  return result;
}

}  // namespace alertgate
