#include "alertgate/rating_engine.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "alertgate/rating.hpp"

using namespace alertgate;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'780'000'000));

Alert make_alert(Severity severity, AlertStatus status = AlertStatus::firing,
                 LabelSet labels = {{"alertname", "HighCPU"}, {"env", "prod"}}) {
  Alert a;
  a.labels = std::move(labels);
  a.severity = severity;
  a.status = status;
  a.fingerprint = fingerprint(a.labels);
  return a;
}

std::vector<Matcher> matchers(std::string_view text) {
  auto m = parse_matchers(text);
  if (!m) FAIL(m.error());
  return std::move(*m);
}

// Rates a fresh copy of a HighCPU/prod alert with the given status at `at`.
struct Rig {
  RatingPolicy policy;
  AlertHistory history{1000, policy.retention()};

  Alert rate(AlertStatus status, TimePoint at, Severity sev = Severity::warning) {
    Alert a = make_alert(sev, status);
    RatingEngine(policy).rate(a, history, at);
    return a;
  }
  int fire(TimePoint at) { return rate(AlertStatus::firing, at).rating; }
  int resolve(TimePoint at) { return rate(AlertStatus::resolved, at).rating; }
};

bool flapping(const Alert& a) {
  const auto* v = find_label(a.labels, "flapping");
  return v != nullptr && *v == "true";
}

}  // namespace

TEST_CASE("rating_engine: base score per severity, default and custom table", "[rating]") {
  RatingPolicy policy;
  const RatingEngine engine(policy);
  AlertHistory history(100, policy.retention());
  const std::pair<Severity, int> defaults[] = {{Severity::critical, 90},
                                               {Severity::error, 70},
                                               {Severity::warning, 50},
                                               {Severity::info, 10}};
  for (const auto& [sev, want] : defaults) {
    Alert a = make_alert(sev, AlertStatus::firing, {{"alertname", std::string(to_string(sev))}});
    a.fingerprint = fingerprint(a.labels);
    engine.rate(a, history, kT0);
    CHECK(int{a.rating} == want);
    CHECK_FALSE(flapping(a));
  }

  policy.severity_score = {100, 60, 30, 0};
  const RatingEngine custom(policy);
  AlertHistory h2(100, policy.retention());
  Alert crit = make_alert(Severity::critical);
  custom.rate(crit, h2, kT0);
  CHECK(int{crit.rating} == 100);
  Alert info = make_alert(Severity::info, AlertStatus::firing, {{"alertname", "x"}});
  info.fingerprint = fingerprint(info.labels);
  custom.rate(info, h2, kT0);
  CHECK(int{info.rating} == 0);
}

TEST_CASE("rating_engine: boosts match, miss, subtract and add up", "[rating]") {
  Rig rig;
  SECTION("matching boost adds") {
    rig.policy.boosts = {{matchers(R"({env="prod"})"), 15}};
    CHECK(rig.fire(kT0) == 65);
  }
  SECTION("non-matching boost does nothing; all matchers of a boost must match") {
    rig.policy.boosts = {{matchers(R"({env="staging"})"), 15},
                         {matchers(R"({env="prod", team="db"})"), 7}};
    CHECK(rig.fire(kT0) == 50);
  }
  SECTION("negative boost subtracts") {
    rig.policy.boosts = {{matchers(R"({alertname=~"High.*"})"), -20}};
    CHECK(rig.fire(kT0) == 30);
  }
  SECTION("every matching boost applies; an empty matcher list matches all") {
    rig.policy.boosts = {{matchers(R"({env="prod"})"), 10},
                         {matchers(R"({team!="db"})"), 5},  // absent label reads as ""
                         {matchers(R"({env="dev"})"), 30},
                         {{}, -2}};
    CHECK(rig.fire(kT0) == 63);
  }
}

TEST_CASE("rating_engine: the score is clamped to 0..100", "[rating]") {
  Rig rig;
  rig.policy.boosts = {{matchers(R"({env="prod"})"), 50}, {{}, 1'000'000'000}};
  CHECK(rig.rate(AlertStatus::firing, kT0, Severity::critical).rating == 100);
  rig.policy.boosts = {{matchers(R"({env="prod"})"), -50}, {{}, -1'000'000'000}};
  CHECK(rig.rate(AlertStatus::firing, kT0 + 1s, Severity::info).rating == 0);
}

TEST_CASE("rating_engine: re-firing after a resolve counts as a recurrence", "[rating]") {
  Rig rig;
  rig.policy.flapping.threshold = 31;  // keep flapping out of these numbers
  CHECK(rig.fire(kT0) == 50);
  CHECK(rig.fire(kT0 + 30s) == 50);      // re-send
  CHECK(rig.resolve(kT0 + 2min) == 50);  // resolves the first episode
  CHECK(rig.fire(kT0 + 3min) == 55);     // one earlier firing
  CHECK(rig.fire(kT0 + 4min) == 55);     // its re-send keeps the rating
  CHECK(rig.resolve(kT0 + 5min) == 55);  // and so does its resolve
  CHECK(rig.fire(kT0 + 6min) == 60);
  rig.resolve(kT0 + 7min);
  CHECK(rig.fire(kT0 + 8min) == 65);
  rig.resolve(kT0 + 9min);
  CHECK(rig.fire(kT0 + 10min) == 70);  // 4 earlier x 5 = max 20
  rig.resolve(kT0 + 11min);
  CHECK(rig.fire(kT0 + 12min) == 70);  // capped at max
  rig.policy.recurrence.max = 12;
  rig.resolve(kT0 + 13min);
  CHECK(rig.fire(kT0 + 14min) == 62);
}

TEST_CASE("rating_engine: re-sends within resend_gap are not new firings", "[rating]") {
  Rig rig;
  for (int i = 0; i <= 30; ++i) CHECK(rig.fire(kT0 + i * 60s) == 50);  // 30 min of re-sends
  // Exactly resend_gap after the last one is still a re-send...
  CHECK(rig.fire(kT0 + 30min + 5min) == 50);
  // ...longer than resend_gap of silence is a new firing, without a status change.
  const Alert a = rig.rate(AlertStatus::firing, kT0 + 40min + 1ns);
  CHECK(int{a.rating} == 55);
  CHECK_FALSE(flapping(a));
  CHECK(rig.history.event_count(a.fingerprint) == 2);
}

TEST_CASE("rating_engine: firings older than the recurrence window stop counting", "[rating]") {
  Rig rig;
  rig.policy.flapping.threshold = 31;
  rig.fire(kT0);
  rig.resolve(kT0 + 1min);
  rig.fire(kT0 + 10min);
  rig.resolve(kT0 + 11min);
  CHECK(rig.fire(kT0 + 60min) == 60);  // both earlier firings in the window (<= 1h)
  rig.resolve(kT0 + 61min);
  CHECK(rig.fire(kT0 + 65min) == 60);  // kT0 dropped out, +10 and +60 remain
  rig.resolve(kT0 + 66min);
  CHECK(rig.fire(kT0 + 3h) == 50);         // all out of the window
  CHECK(rig.fire(kT0 + 3h + 1min) == 50);  // re-send
}

TEST_CASE("rating_engine: flapping sets the label and boost, then falls off", "[rating]") {
  Rig rig;
  rig.policy.recurrence.per_repeat = 0;  // flapping only (threshold 4, window 1h, boost 10)
  rig.fire(kT0);                         // first sighting: not a status change
  rig.resolve(kT0 + 1min);               // 1
  rig.fire(kT0 + 2min);                  // 2
  rig.resolve(kT0 + 3min);               // 3
  Alert a = rig.rate(AlertStatus::firing, kT0 + 4min);  // 4: not more than 4
  CHECK(int{a.rating} == 50);
  CHECK(find_label(a.labels, "flapping") == nullptr);
  a = rig.rate(AlertStatus::resolved, kT0 + 5min);  // 5 > 4
  CHECK(int{a.rating} == 60);
  CHECK(flapping(a));
  REQUIRE(a.labels.size() == 3);
  CHECK(a.labels[1].name == "env");  // still sorted
  CHECK(a.labels[2].name == "flapping");
  a = rig.rate(AlertStatus::resolved, kT0 + 6min);  // a resend still flaps
  CHECK(flapping(a));
  // 61 min after the 2nd change: changes at +3..+5 remain (3) plus this one = 4.
  a = rig.rate(AlertStatus::firing, kT0 + 63min);
  CHECK_FALSE(flapping(a));
  CHECK(int{a.rating} == 50);
  // Alone the engine never removes a client-sent label.
  Alert sent = make_alert(Severity::info, AlertStatus::firing, {{"flapping", "true"}});
  RatingEngine(rig.policy).rate(sent, rig.history, kT0 + 64min);
  CHECK(flapping(sent));
  CHECK(int{sent.rating} == 10);
}

TEST_CASE("rating_engine: flapping and recurrence add up with the arithmetic in the docs",
          "[rating]") {
  Rig rig;  // all defaults: the worked example in docs/rating.md
  rig.policy.boosts = {{matchers(R"({env="prod"})"), 10}};
  const int want[] = {60, 60, 65, 65, 70, 80};  // fire, resolve, fire, resolve, fire, resolve
  for (int i = 0; i < 6; ++i) {
    const auto status = i % 2 == 0 ? AlertStatus::firing : AlertStatus::resolved;
    const Alert a = rig.rate(status, kT0 + i * 10min);
    INFO("event " << i);
    CHECK(int{a.rating} == want[i]);
    CHECK(flapping(a) == (i == 5));
  }
}

TEST_CASE("rating_engine: history tracks at most max_fingerprints, evicting the LRU", "[rating]") {
  RatingPolicy policy;
  AlertHistory h(3, policy.retention());
  CHECK(h.max_fingerprints() == 3);
  h.record(1, AlertStatus::firing, kT0, policy);
  h.record(2, AlertStatus::firing, kT0 + 1s, policy);
  h.record(3, AlertStatus::firing, kT0 + 2s, policy);
  h.record(1, AlertStatus::firing, kT0 + 3s, policy);  // 1 is now the most recent
  CHECK(h.size() == 3);
  h.record(4, AlertStatus::firing, kT0 + 4s, policy);  // evicts 2
  CHECK(h.size() == 3);
  CHECK(h.contains(1));
  CHECK_FALSE(h.contains(2));
  CHECK(h.contains(3));
  CHECK(h.contains(4));
  // 1 kept its state: a re-send. 2 comes back as a fresh fingerprint (new firing) and
  // evicts 3, the least recently seen now.
  CHECK_FALSE(h.record(1, AlertStatus::firing, kT0 + 5s, policy).new_firing);
  const auto back = h.record(2, AlertStatus::firing, kT0 + 6s, policy);
  CHECK(back.new_firing);
  CHECK(back.firings_in_window == 1);
  CHECK_FALSE(h.contains(3));
  CHECK(h.event_count(2) == 1);
  CHECK(h.event_count(3) == 0);
}

TEST_CASE("rating_engine: at most 32 events are kept per fingerprint", "[rating]") {
  RatingPolicy policy;
  policy.recurrence.per_repeat = 0;
  AlertHistory h(10, policy.retention());
  AlertHistory::Observation obs;
  for (int i = 0; i < 100; ++i) {
    const auto status = i % 2 == 0 ? AlertStatus::firing : AlertStatus::resolved;
    obs = h.record(7, status, kT0 + i * 1s, policy);
  }
  CHECK(h.event_count(7) == kHistoryEventsPerFingerprint);
  CHECK(obs.changes_in_window == 32);  // 99 changes happened; the ring holds 32
  CHECK(obs.firings_in_window == 16);

  // So a threshold of 31 can trigger, 32 never can.
  Rig rig;
  rig.policy.recurrence.per_repeat = 0;
  rig.policy.flapping.threshold = 32;
  Alert a;
  for (int i = 0; i < 100; ++i) {
    a = rig.rate(i % 2 == 0 ? AlertStatus::firing : AlertStatus::resolved, kT0 + i * 1s);
    CHECK_FALSE(flapping(a));
  }
  rig.policy.flapping.threshold = 31;
  CHECK(flapping(rig.rate(AlertStatus::firing, kT0 + 100s)));
}

TEST_CASE("rating_engine: expire drops fingerprints not seen within the retention", "[rating]") {
  RatingPolicy policy;
  policy.recurrence.window = 30min;
  policy.flapping.window = 2h;
  CHECK(policy.retention() == 2h);
  policy.flapping.window = 10s;
  policy.recurrence.resend_gap = 45min;
  CHECK(policy.retention() == 45min);
  policy = RatingPolicy{};
  CHECK(policy.retention() == 1h);

  AlertHistory h(10, policy.retention());
  h.record(1, AlertStatus::firing, kT0, policy);
  h.record(2, AlertStatus::firing, kT0 + 30min, policy);
  h.record(3, AlertStatus::firing, kT0, policy);
  // 3 keeps being re-sent: its only event is old but it was seen recently, so it stays
  // (dropping it would turn the next re-send into a new firing).
  for (auto t = kT0 + 1min; t <= kT0 + 80min; t += 1min)
    h.record(3, AlertStatus::firing, t, policy);
  h.expire(kT0 + 60min);  // exactly the retention: kept
  CHECK(h.size() == 3);
  h.expire(kT0 + 60min + 1ns);
  CHECK_FALSE(h.contains(1));
  CHECK(h.contains(2));
  CHECK(h.contains(3));
  CHECK_FALSE(h.record(3, AlertStatus::firing, kT0 + 81min, policy).new_firing);
  h.expire(kT0 + 150min);
  CHECK(h.size() == 0);
  CHECK(h.record(3, AlertStatus::firing, kT0 + 151min, policy).new_firing);
}
