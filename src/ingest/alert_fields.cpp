#include "ingest/alert_fields.hpp"

namespace alertgate::ingest {

AlertField alert_field(std::string_view key) {
  switch (key.size()) {
    case 6:
      if (key == "labels") return AlertField::labels;
      if (key == "endsAt") return AlertField::ends_at;
      if (key == "source") return AlertField::source;
      break;
    case 7:
      if (key == "summary") return AlertField::summary;
      break;
    case 8:
      if (key == "startsAt") return AlertField::starts_at;
      if (key == "severity") return AlertField::severity;
      break;
    case 9:
      if (key == "dedup_key") return AlertField::dedup_key;
      break;
    case 11:
      if (key == "annotations") return AlertField::annotations;
      break;
    case 12:
      if (key == "generatorURL") return AlertField::generator_url;
      break;
    default: break;
  }
  return AlertField::unknown;
}

Step read_shared_field(JsonReader& r, AlertField id, od::value& value, Alert& alert,
                       AlertDraft& draft) {
  switch (id) {
    case AlertField::labels:
      draft.has_labels = true;
      draft.labels_offset = r.offset_of(value);
      return r.read_labels(value, "labels", alert.labels);
    case AlertField::annotations: return r.read_labels(value, "annotations", alert.annotations);
    case AlertField::starts_at: return r.get_time(value, {{}, "startsAt"}, alert.starts_at);
    case AlertField::ends_at:
      draft.ends_offset = r.offset_of(value);
      return r.get_time(value, {{}, "endsAt"}, alert.ends_at);
    case AlertField::generator_url: {
      std::string_view url;
      Step s = r.get_string(value, {{}, "generatorURL"}, r.limits().max_string_bytes, url,
                            /*nullable=*/true);
      if (s == Step::ok) alert.generator_url.assign(url);
      return s;
    }
    default: break;
  }
  return Step::ok;
}

Step finish_alert(JsonReader& r, const Alert& alert, const AlertDraft& draft) {
  if (alert.labels.empty()) {
    return r.fail(draft.has_labels ? draft.labels_offset : draft.object_offset, {{}, "labels"},
                  "at least one label is required");
  }
  if (alert.starts_at != TimePoint{} && alert.ends_at != TimePoint{} &&
      alert.ends_at < alert.starts_at) {
    return r.fail(draft.ends_offset, {{}, "endsAt"}, "endsAt is before startsAt");
  }
  return Step::ok;
}

}  // namespace alertgate::ingest
