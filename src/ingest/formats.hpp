// One decoder function per wire format, each reading one alert (or event) object. The
// batch loop, body checks and limits on the number of alerts live in decoder.cpp.
// Internal to the ingest stage.
#pragma once

#include <cstddef>
#include <string>

#include "alertgate/alert.hpp"
#include "alertgate/decode.hpp"
#include "ingest/json_reader.hpp"

namespace alertgate::ingest {

// An Alertmanager API v2 alert object. Unknown fields are skipped.
Step decode_am_v2_alert(JsonReader& r, od::object& object, std::size_t object_offset, Alert& alert);

// A native alert object: the Alertmanager fields plus severity, summary, source,
// dedup_key. Unknown fields are errors.
Step decode_native_alert(JsonReader& r, od::object& object, std::size_t object_offset,
                         Alert& alert);

// A PagerDuty Events v2 event. Fills `meta` (routing_key, dedup_key, event_action as sent)
// even when the event has errors; `alert` is complete only when Step::ok is returned.
Step decode_pagerduty_event(JsonReader& r, od::object& object, std::size_t object_offset,
                            TimePoint now, Alert& alert, PagerDutyReport& meta);

}  // namespace alertgate::ingest
