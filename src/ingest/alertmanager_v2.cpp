// Alertmanager API v2 alerts, as Prometheus posts them to /api/v2/alerts:
// {labels, annotations, startsAt, endsAt, generatorURL}. Other fields are skipped, as
// Alertmanager itself ignores them (Prometheus may add fields in newer versions).
#include "alertgate/alert.hpp"
#include "ingest/alert_fields.hpp"
#include "ingest/formats.hpp"

namespace alertgate::ingest {

Step decode_am_v2_alert(JsonReader& r, od::object& object, std::size_t object_offset,
                        Alert& alert) {
  alert.source_format = SourceFormat::alertmanager_v2;
  AlertDraft draft;
  draft.object_offset = object_offset;
  Step s = for_each_field(r, object,
                          [&](AlertField id, std::string_view, std::size_t, od::value& value) {
                            if (!is_shared(id))
                              return Step::ok;  // unknown, or native-only: skipped unread
                            return read_shared_field(r, id, value, alert, draft);
                          });
  if (s != Step::ok) return s;
  if (s = finish_alert(r, alert, draft); s != Step::ok) return s;
  if (const std::string* severity = find_label(alert.labels, "severity")) {
    alert.severity_raw = *severity;
  }
  return Step::ok;
}

}  // namespace alertgate::ingest
