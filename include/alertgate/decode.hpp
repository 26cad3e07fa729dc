// Decoders for the alert wire formats we accept (see shared/formats/README.md):
// Alertmanager API v2, native, PagerDuty Events v2.
//
// One Decoder per reactor thread: it owns a reused simdjson On Demand parser and is not
// thread-safe. Every decoded field is copied into an owning Alert.
//
// Errors: untrusted input never throws. A body that is not JSON at all (or not the
// expected top-level shape) yields one error with index == kBodyError and nothing is
// decoded. An alert that is valid JSON but breaks a rule (missing labels, bad time, bad
// label name, too large, ...) is rejected alone and the others are kept. A syntax error in
// the middle of an array keeps the alerts completely decoded before it and reports the
// position; nothing after it can be trusted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/time.hpp"

namespace alertgate {

struct DecodeLimits {
  std::size_t max_alerts = 10'000;  // per request
  std::size_t max_labels = 128;     // per alert, also for annotations
  std::size_t max_label_name_bytes = 256;
  std::size_t max_label_value_bytes = std::size_t{16} * 1024;
  std::size_t max_annotation_value_bytes = std::size_t{64} * 1024;
  std::size_t max_string_bytes = std::size_t{16} * 1024;  // generatorURL, routing_key, ...
};

struct DecodeError {
  static constexpr std::size_t kBodyError = std::numeric_limits<std::size_t>::max();
  std::size_t index = kBodyError;  // alert position in the batch, or kBodyError
  std::size_t offset = 0;          // byte offset in the body where the problem is
  std::string message;             // what is wrong, naming the field path
};

struct DecodeReport {
  std::size_t accepted = 0;  // alerts appended to `out`
  std::size_t rejected = 0;  // alerts left out (a body error counts as 1 when nothing decoded)
  std::vector<DecodeError> errors;
  bool body_error = false;  // the body as a whole was unusable
};

// PagerDuty Events v2 carries its credential and its dedup key in the body.
struct PagerDutyReport {
  DecodeReport report;
  std::string routing_key;
  std::string dedup_key;     // as sent, or empty when the event had none
  std::string event_action;  // trigger | acknowledge | resolve
};

class Decoder {
 public:
  explicit Decoder(DecodeLimits limits = {});
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Each takes the request body by reference because simdjson needs padding after the
  // data: the body's capacity may grow, its content does not change. Decoded alerts are
  // appended to `out`. Missing times stay TimePoint{} (the enricher fills defaults); `now`
  // is only used by PagerDuty `resolve` (ends_at = now). Rules and limits:
  // src/ingest/README.md.

  // `POST /api/v2/alerts`: a JSON array of {labels, annotations, startsAt, endsAt,
  // generatorURL}. Unknown fields are ignored, as Alertmanager does.
  DecodeReport alertmanager_v2(std::string& body, TimePoint now, std::vector<Alert>& out);

  // `POST /v1/alerts`: an object or an array of objects with the Alertmanager fields plus
  // optional severity, summary, source, dedup_key. Unknown fields are errors.
  DecodeReport native(std::string& body, TimePoint now, std::vector<Alert>& out);

  // `POST /v2/enqueue`: one PagerDuty Events v2 event.
  PagerDutyReport pagerduty(std::string& body, TimePoint now, std::vector<Alert>& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alertgate
