#include "alertgate/bench/body_generator.hpp"

#include <fmt/format.h>
#include <array>
#include <cmath>
#include <iterator>

#include "alertgate/bench/bench_marker.hpp"

namespace alertgate::bench {

namespace {

constexpr unsigned kMaxBatch = 100'000;
constexpr std::uint64_t kAlertNames = 50;  // alertname spread: a realistic grouping key

// splitmix64: a good 64-bit mix, so kind and identity look random but depend on seq alone.
std::uint64_t mix(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t threshold(double share) {
  if (share <= 0) return 0;
  if (share >= 1) return ~std::uint64_t{0};
  return static_cast<std::uint64_t>(std::ldexp(share, 64));
}

// 10 % critical, 10 % error, 50 % warning, 30 % info, by identity: an identity keeps its
// severity across repeats and resolves.
std::string_view severity_of(std::uint64_t identity) {
  static constexpr std::array<std::string_view, 10> kBySlot = {
      "critical", "error",   "warning", "warning", "warning",
      "warning",  "warning", "info",    "info",    "info"};
  return kBySlot[mix(identity ^ 0x5eed) % kBySlot.size()];
}

template <typename... Args>
void put(std::string& out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::format_to(std::back_inserter(out), f, std::forward<Args>(args)...);
}

}  // namespace

Result<BodyFormat> parse_body_format(std::string_view text) {
  if (text == "am-v2") return BodyFormat::am_v2;
  if (text == "native") return BodyFormat::native;
  if (text == "pagerduty") return BodyFormat::pagerduty;
  return unexpected(Error{fmt::format("unknown format \"{}\" (am-v2, native, pagerduty)", text)});
}

std::string_view to_string(BodyFormat f) {
  switch (f) {
    case BodyFormat::am_v2: return "am-v2";
    case BodyFormat::native: return "native";
    case BodyFormat::pagerduty: return "pagerduty";
  }
  return "?";
}

std::string_view default_path(BodyFormat f) {
  switch (f) {
    case BodyFormat::am_v2: return "/api/v2/alerts";
    case BodyFormat::native: return "/v1/alerts";
    case BodyFormat::pagerduty: return "/v2/enqueue";
  }
  return "/";
}

Result<BodyGenerator> BodyGenerator::make(const BodyOptions& options) {
  if (options.batch == 0 || options.batch > kMaxBatch) {
    return unexpected(Error{fmt::format("batch must be 1..{}", kMaxBatch)});
  }
  if (options.format == BodyFormat::pagerduty && options.batch != 1) {
    return unexpected(Error{"pagerduty carries one event per request: batch must be 1"});
  }
  const auto share_ok = [](double s) { return std::isfinite(s) && s >= 0 && s <= 1; };
  if (!share_ok(options.repeat_share) || !share_ok(options.resolve_share) ||
      options.repeat_share + options.resolve_share > 1) {
    return unexpected(Error{"repeat and resolve shares must be 0..1 and add up to at most 1"});
  }
  BodyGenerator g(options);
  g.repeat_threshold_ = threshold(options.repeat_share);
  g.resolve_threshold_ = threshold(options.repeat_share + options.resolve_share);
  return g;
}

AlertKind BodyGenerator::kind_of(std::uint64_t seq) const noexcept {
  if (seq == 0) return AlertKind::fresh;  // nothing earlier to repeat or resolve
  const std::uint64_t h = mix(options_.seed ^ mix(seq));
  if (h < repeat_threshold_) return AlertKind::repeat;
  if (h < resolve_threshold_) return AlertKind::resolve;
  return AlertKind::fresh;
}

std::uint64_t BodyGenerator::identity_of(std::uint64_t seq) const noexcept {
  std::uint64_t source = seq;
  if (kind_of(seq) != AlertKind::fresh) {
    source = mix(options_.seed + seq) % seq;  // an earlier alert's identity
  }
  return options_.label_cardinality == 0 ? source : source % options_.label_cardinality;
}

void BodyGenerator::append_alert(std::string& out, std::uint64_t seq, TimePoint intended) const {
  const std::uint64_t id = identity_of(seq);
  const AlertKind kind = kind_of(seq);
  put(out,
      R"({{"labels":{{"alertname":"BenchAlert{}","instance":"host-{}:9100","job":"bench",)"
      R"("severity":"{}","bench_id":"{}")",
      id % kAlertNames, id, severity_of(id), id);
  if (!options_.run_label.empty()) put(out, R"(,"bench_run":"{}")", options_.run_label);
  // The summary quotes the marker too: Slack and PagerDuty destinations render the summary,
  // not every annotation, and the sink finds the marker by scanning their bodies.
  put(out, R"(}},"annotations":{{"summary":"bench alert {} )", id);
  append_marker(out, Marker{seq, intended});
  out += "\",";
  put(out, R"("{}":")", kMarkerAnnotation);
  append_marker(out, Marker{seq, intended});
  out += "\"}";
  if (kind == AlertKind::resolve) {
    // Resolved a second before it was sent: endsAt in the past means resolved.
    out += R"(,"startsAt":")";
    append_rfc3339(out, intended - std::chrono::minutes(2));
    out += R"(","endsAt":")";
    append_rfc3339(out, intended - std::chrono::seconds(1));
    out += '"';
  }
  if (options_.format == BodyFormat::native) put(out, R"(,"source":"host-{}")", id);
  out += '}';
}

void BodyGenerator::append_pagerduty(std::string& out, std::uint64_t seq, TimePoint intended,
                                     std::string_view routing_key) const {
  const std::uint64_t id = identity_of(seq);
  const bool resolve = kind_of(seq) == AlertKind::resolve;
  put(out, R"({{"routing_key":"{}","event_action":"{}","dedup_key":"bench-{}{}",)", routing_key,
      resolve ? "resolve" : "trigger", options_.run_label, id);
  put(out,
      R"("payload":{{"summary":"bench alert {}","source":"host-{}","severity":"{}",)"
      R"("custom_details":{{"{}":")",
      id, id, severity_of(id), kMarkerAnnotation);
  append_marker(out, Marker{seq, intended});
  out += R"("}},"client":"alertgate-bench"})";
}

void BodyGenerator::build(std::uint64_t request, TimePoint intended, std::string_view routing_key,
                          std::string& out) const {
  out.clear();
  const std::uint64_t first = request * options_.batch;
  if (options_.format == BodyFormat::pagerduty) {
    append_pagerduty(out, first, intended, routing_key);
    return;
  }
  out += '[';
  for (unsigned k = 0; k < options_.batch; ++k) {
    if (k != 0) out += ',';
    append_alert(out, first + k, intended);
  }
  out += ']';
}

}  // namespace alertgate::bench
