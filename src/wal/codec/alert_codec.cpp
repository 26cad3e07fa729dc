// Binary form of an Alert inside an `alert` record. Field order is the struct's; strings
// are u32 length + bytes, times are i64 nanoseconds since the epoch, enums one byte. The
// first byte is a payload version so fields can be added later.
#include <string>

#include "alertgate/wal/record.hpp"
#include "wal/codec/byte_io.hpp"

namespace alertgate::wal {

namespace {

using detail::put_le;
using detail::put_str;
using detail::put_u8;
using detail::Reader;

constexpr std::uint8_t kAlertPayloadVersion = 1;
// The smallest encoded label: two empty strings.
constexpr std::size_t kMinLabelBytes = 8;

void put_time(std::string& out, TimePoint t) {
  put_le<std::uint64_t>(out, static_cast<std::uint64_t>(t.time_since_epoch().count()));
}

void put_labels(std::string& out, const LabelSet& set) {
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(set.size()));
  for (const Label& l : set) {
    put_str(out, l.name);
    put_str(out, l.value);
  }
}

Unexpected<Error> fail(const Reader& r, const char* field) {
  return unexpected(Error{std::string("alert record: bad ") + field + " at offset " +
                          std::to_string(r.offset())});
}

bool get_time(Reader& r, TimePoint& t) {
  std::uint64_t v = 0;
  if (!r.get(v)) return false;
  t = TimePoint(std::chrono::nanoseconds(static_cast<std::int64_t>(v)));
  return true;
}

bool get_labels(Reader& r, LabelSet& set) {
  std::uint32_t n = 0;
  if (!r.get(n)) return false;
  // A count the remaining bytes cannot hold is garbage: refuse it before reserving.
  if (n > r.remaining() / kMinLabelBytes) return false;
  set.resize(n);
  for (Label& l : set) {
    if (!r.get_str(l.name) || !r.get_str(l.value)) return false;
  }
  return true;
}

template <class E>
bool get_enum(Reader& r, E& e, std::uint8_t count) {
  std::uint8_t v = 0;
  if (!r.get(v) || v >= count) return false;
  e = static_cast<E>(v);
  return true;
}

}  // namespace

void encode_alert(const Alert& a, std::string& out) {
  put_u8(out, kAlertPayloadVersion);
  put_labels(out, a.labels);
  put_labels(out, a.annotations);
  put_time(out, a.starts_at);
  put_time(out, a.ends_at);
  put_str(out, a.generator_url);
  put_str(out, a.severity_raw);
  put_str(out, a.dedup_key);
  put_u8(out, static_cast<std::uint8_t>(a.source_format));
  put_str(out, a.tenant_id);
  put_u8(out, static_cast<std::uint8_t>(a.severity));
  put_u8(out, static_cast<std::uint8_t>(a.status));
  put_u8(out, a.rating);
  put_le<std::uint64_t>(out, a.fingerprint);
  put_str(out, a.alert_id);
  put_time(out, a.received_at);
  put_str(out, a.trace);
}

Result<Alert> decode_alert(std::span<const std::byte> payload) {
  Reader r(payload);
  Alert a;
  std::uint8_t version = 0;
  if (!r.get(version) || version != kAlertPayloadVersion) return fail(r, "version");
  if (!get_labels(r, a.labels)) return fail(r, "labels");
  if (!get_labels(r, a.annotations)) return fail(r, "annotations");
  if (!get_time(r, a.starts_at)) return fail(r, "starts_at");
  if (!get_time(r, a.ends_at)) return fail(r, "ends_at");
  if (!r.get_str(a.generator_url)) return fail(r, "generator_url");
  if (!r.get_str(a.severity_raw)) return fail(r, "severity_raw");
  if (!r.get_str(a.dedup_key)) return fail(r, "dedup_key");
  if (!get_enum(r, a.source_format, static_cast<std::uint8_t>(kSourceFormatCount))) {
    return fail(r, "source_format");
  }
  if (!r.get_str(a.tenant_id)) return fail(r, "tenant_id");
  if (!get_enum(r, a.severity, 4)) return fail(r, "severity");
  if (!get_enum(r, a.status, 2)) return fail(r, "status");
  if (!r.get(a.rating) || a.rating > 100) return fail(r, "rating");
  if (!r.get(a.fingerprint)) return fail(r, "fingerprint");
  if (!r.get_str(a.alert_id)) return fail(r, "alert_id");
  if (!get_time(r, a.received_at)) return fail(r, "received_at");
  if (!r.get_str(a.trace)) return fail(r, "trace");
  if (r.remaining() != 0) return fail(r, "length (trailing bytes)");
  return a;
}

}  // namespace alertgate::wal
