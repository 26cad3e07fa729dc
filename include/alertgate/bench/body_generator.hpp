// BodyGenerator: the request bodies of `alertgate bench`. Request i carries alerts with
// seq = i * batch + k (k < batch); each alert's kind (new / repeat / resolve) and identity
// come from a hash of (seed, seq) alone, so any worker thread can build any request without
// shared state and a run is reproducible.
//
// - new: identity = seq, or seq mod label_cardinality when a cardinality is set.
// - repeat: the identity of an earlier alert, firing again (exercises dedup).
// - resolve: the identity of an earlier alert with endsAt in the past (resolved).
// Every alert carries the bench marker annotation (bench_marker.hpp) with its seq and the
// request's intended send time (quoted in its summary too, for Slack/PagerDuty bodies), and labels
// alertname, instance, job, severity, bench_id (and bench_run when options.run_label is set).
//
// Immutable after make(); build() is const and allocation-free once `out` has capacity.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "alertgate/result.hpp"
#include "alertgate/time.hpp"

namespace alertgate::bench {

enum class BodyFormat : std::uint8_t { am_v2, native, pagerduty };

// "am-v2" | "native" | "pagerduty".
Result<BodyFormat> parse_body_format(std::string_view text);
std::string_view to_string(BodyFormat f);
// The format's ingest path: /api/v2/alerts, /v1/alerts, /v2/enqueue.
std::string_view default_path(BodyFormat f);

struct BodyOptions {
  BodyFormat format = BodyFormat::am_v2;
  unsigned batch = 1;                   // alerts per request; pagerduty: must be 1
  std::uint64_t label_cardinality = 0;  // distinct identities; 0 = every new alert unique
  double repeat_share = 0;              // 0..1
  double resolve_share = 0;             // 0..1, repeat_share + resolve_share <= 1
  std::uint64_t seed = 1;
  // Written as label bench_run on every alert: alerts of different runs never share an
  // identity, so a second run against the same daemon is not deduplicated against the
  // first. The driver sets it per run; empty: no such label.
  std::string run_label{};
};

enum class AlertKind : std::uint8_t { fresh, repeat, resolve };

class BodyGenerator {
 public:
  // Errors: batch 0 or > 100000, pagerduty with batch > 1, shares out of range.
  static Result<BodyGenerator> make(const BodyOptions& options);

  // Replaces `out` with request `request`'s body. `routing_key` is written into PagerDuty
  // events (their credential); ignored for the other formats.
  void build(std::uint64_t request, TimePoint intended, std::string_view routing_key,
             std::string& out) const;

  // Kind and identity of alert `seq` (for tests and for counting what the sink can see).
  AlertKind kind_of(std::uint64_t seq) const noexcept;
  std::uint64_t identity_of(std::uint64_t seq) const noexcept;

  const BodyOptions& options() const noexcept { return options_; }

 private:
  explicit BodyGenerator(const BodyOptions& options) : options_(options) {}
  void append_alert(std::string& out, std::uint64_t seq, TimePoint intended) const;
  void append_pagerduty(std::string& out, std::uint64_t seq, TimePoint intended,
                        std::string_view routing_key) const;

  BodyOptions options_;
  std::uint64_t repeat_threshold_ = 0;   // hash < this: repeat
  std::uint64_t resolve_threshold_ = 0;  // hash < this (and >= repeat_threshold_): resolve
};

}  // namespace alertgate::bench
