#include "alertgate/bench/body_generator.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/bench/bench_marker.hpp"
#include "alertgate/decode.hpp"

namespace alertgate::bench {
namespace {

const TimePoint kIntended = TimePoint(std::chrono::seconds(1'800'000'000));

BodyGenerator make(BodyOptions o) {
  auto g = BodyGenerator::make(o);
  REQUIRE(g.ok());
  return std::move(g).value();
}

std::vector<Alert> decode(BodyFormat format, std::string body) {
  Decoder decoder;
  std::vector<Alert> alerts;
  if (format == BodyFormat::pagerduty) {
    const auto r = decoder.pagerduty(body, kIntended, alerts);
    INFO(body);
    REQUIRE(r.report.errors.empty());
  } else {
    const auto r = format == BodyFormat::native ? decoder.native(body, kIntended, alerts)
                                                : decoder.alertmanager_v2(body, kIntended, alerts);
    INFO(body);
    REQUIRE(r.errors.empty());
  }
  return alerts;
}

// The marker of a decoded alert: the annotation, or inside PagerDuty's custom_details.
Marker marker_of(const Alert& a) {
  Marker m;
  std::size_t found = 0;
  for (const Label& l : a.annotations) {
    found += scan_markers(l.value, [&](const Marker& x) { m = x; }) == 0 ? 0 : 1;
    if (l.name == kMarkerAnnotation) REQUIRE(parse_marker(l.value, m));
  }
  CHECK(found == 0);
  return m;
}

}  // namespace

TEST_CASE("bench: every format's bodies decode with alertgate's own decoders") {
  for (BodyFormat f : {BodyFormat::am_v2, BodyFormat::native, BodyFormat::pagerduty}) {
    const unsigned batch = f == BodyFormat::pagerduty ? 1 : 7;
    const BodyGenerator g = make({.format = f,
                                  .batch = batch,
                                  .repeat_share = 0.2,
                                  .resolve_share = 0.2,
                                  .run_label = "r1"});
    std::string body;
    for (std::uint64_t request : {0, 1, 5, 1000}) {
      g.build(request, kIntended, "routing-key-0123456789", body);
      const std::vector<Alert> alerts = decode(f, body);
      REQUIRE(alerts.size() == batch);
      for (unsigned k = 0; k < batch; ++k) {
        const std::uint64_t seq = request * batch + k;
        const Marker m = marker_of(alerts[k]);
        CHECK(m.seq == seq);
        CHECK(m.intended == kIntended);
        const std::string* id = find_label(alerts[k].labels, "bench_id");
        if (f != BodyFormat::pagerduty) {
          REQUIRE(id != nullptr);
          CHECK(*id == std::to_string(g.identity_of(seq)));
          const std::string* run = find_label(alerts[k].labels, "bench_run");
          REQUIRE(run != nullptr);
          CHECK(*run == "r1");
        } else {
          CHECK(alerts[k].dedup_key == "bench-r1" + std::to_string(g.identity_of(seq)));
        }
        const bool resolved = g.kind_of(seq) == AlertKind::resolve;
        // Resolved = an end time not after the time it was received (here: intended).
        const TimePoint end = alerts[k].ends_at;
        CHECK((end != TimePoint{} && end <= kIntended) == resolved);
      }
    }
  }
}

TEST_CASE("bench: kinds follow the shares, identities the cardinality") {
  const BodyGenerator g =
      make({.label_cardinality = 500, .repeat_share = 0.3, .resolve_share = 0.1, .seed = 42});
  std::size_t repeats = 0, resolves = 0;
  std::set<std::uint64_t> identities;
  constexpr std::size_t kN = 100'000;
  for (std::uint64_t seq = 0; seq < kN; ++seq) {
    const AlertKind k = g.kind_of(seq);
    repeats += k == AlertKind::repeat;
    resolves += k == AlertKind::resolve;
    const std::uint64_t id = g.identity_of(seq);
    CHECK(id < 500);
    identities.insert(id);
    if (k != AlertKind::fresh) CHECK(g.identity_of(seq) == g.identity_of(seq));  // stable
  }
  CHECK(repeats == Approx(0.3 * kN).epsilon(0.03));
  CHECK(resolves == Approx(0.1 * kN).epsilon(0.05));
  CHECK(identities.size() == 500);
  CHECK(g.kind_of(0) == AlertKind::fresh);

  const BodyGenerator unique = make({});
  std::set<std::uint64_t> all;
  for (std::uint64_t seq = 0; seq < 1000; ++seq) all.insert(unique.identity_of(seq));
  CHECK(all.size() == 1000);
}

TEST_CASE("bench: a repeat or resolve names an earlier identity") {
  const BodyGenerator g = make({.repeat_share = 0.5, .resolve_share = 0.5});
  for (std::uint64_t seq = 1; seq < 10'000; ++seq) {
    REQUIRE(g.kind_of(seq) != AlertKind::fresh);
    CHECK(g.identity_of(seq) < seq);
  }
}

TEST_CASE("bench: body options are checked") {
  CHECK_FALSE(BodyGenerator::make({.batch = 0}).ok());
  CHECK_FALSE(BodyGenerator::make({.batch = 100'001}).ok());
  CHECK_FALSE(BodyGenerator::make({.format = BodyFormat::pagerduty, .batch = 2}).ok());
  CHECK_FALSE(BodyGenerator::make({.repeat_share = -0.1}).ok());
  CHECK_FALSE(BodyGenerator::make({.repeat_share = 0.7, .resolve_share = 0.4}).ok());
  CHECK(BodyGenerator::make({.repeat_share = 0.6, .resolve_share = 0.4}).ok());
  CHECK(parse_body_format("am-v2").ok());
  CHECK(parse_body_format("native").ok());
  CHECK(parse_body_format("pagerduty").ok());
  CHECK_FALSE(parse_body_format("slack").ok());
  CHECK(default_path(BodyFormat::pagerduty) == "/v2/enqueue");
}

TEST_CASE("bench: building a body twice gives the same bytes") {
  const BodyGenerator g = make({.batch = 3, .repeat_share = 0.25, .seed = 7});
  std::string a, b;
  g.build(99, kIntended, "", a);
  g.build(99, kIntended, "", b);
  CHECK(a == b);
}

}  // namespace alertgate::bench
