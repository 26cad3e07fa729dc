// The enriched alert as JSON (shared/formats/README.md "Enriched alert"): the value of a
// Kafka message and of a `log` destination line. Pure functions; any thread.
#pragma once

#include <string>

#include "alertgate/alert.hpp"

namespace alertgate {

// Appends one JSON object (no newline):
// {"alert_id","tenant_id","fingerprint","status","severity","rating","labels","annotations",
//  "startsAt","endsAt","generatorURL"?,"dedup_key"?,"received_at","source_format","traceparent"}
void append_alert_json(std::string& out, const Alert& alert);

}  // namespace alertgate
