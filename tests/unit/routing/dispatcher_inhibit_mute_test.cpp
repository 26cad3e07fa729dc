// TenantDispatcher: inhibition and mute_when.
#include "alertgate/dispatcher.hpp"

#include "routing_helpers.hpp"

using namespace routing_test;

namespace {

Alert sev(std::string name, std::string severity, std::string cluster) {
  return make_alert({{"alertname", std::move(name)},
                     {"severity", std::move(severity)},
                     {"cluster", std::move(cluster)}});
}

std::shared_ptr<TenantPolicy> with_inhibit() {
  auto p = make_policy({make_rule(1)});
  InhibitRule ir;
  ir.source_match = matchers(R"(severity="critical")");
  ir.target_match = matchers(R"(severity="warning")");
  ir.equal = {"cluster"};
  p->inhibit.push_back(ir);
  return p;
}

TimeInterval window(std::uint8_t weekdays, int start_minute, int end_minute,
                    const date::time_zone* zone = nullptr) {
  TimeInterval w;
  w.weekdays = weekdays;
  w.times.push_back(TimeInterval::Range{start_minute, end_minute});
  w.zone = zone;
  return w;
}

constexpr std::uint8_t kSaturday = 1u << 6;

}  // namespace

TEST_CASE("routing: a firing source inhibits targets with equal labels", "[routing]") {
  Rig rig(with_inhibit());
  CHECK(rig.send(sev("Lag", "warning", "a"), kT0).size() == 1);  // no source yet
  CHECK(rig.send(sev("Down", "critical", "a"), kT0 + 1s).size() == 1);
  CHECK(rig.send(sev("Slow", "warning", "a"), kT0 + 2s).empty());  // inhibited
  CHECK(rig.d.stats().inhibited == 1);
  CHECK(rig.send(sev("Slow", "warning", "b"), kT0 + 3s).size() == 1);  // other cluster
  CHECK(rig.send(sev("Slow", "info", "a"), kT0 + 4s).size() == 1);     // not a target

  // The already notified target is left out of its repeat while inhibited.
  CHECK(rig.advance(kT0 + 4h + 10s).size() == 3);  // Down, Slow/b, Slow/info; not Lag/a
  CHECK(rig.d.stats().inhibited >= 2);

  // The source resolves: the held-back target is notified now (event, not polling).
  auto out = rig.send(resolved(sev("Down", "critical", "a")), kT0 + 5h);
  REQUIRE(out.size() == 2);
  bool slow_a = false;
  for (const Notification& n : out) {
    if (n.firing == 1 && label(n.alerts[0], "alertname") == "Slow") slow_a = true;
  }
  CHECK(slow_a);
}

TEST_CASE("routing: an alert does not inhibit itself", "[routing]") {
  auto p = make_policy({make_rule(1)});
  InhibitRule ir;
  ir.source_match = matchers(R"(alertname=~".+")");
  ir.target_match = matchers(R"(alertname=~".+")");
  ir.equal = {"alertname"};
  p->inhibit.push_back(ir);
  Rig rig(p);
  CHECK(rig.send(sev("Down", "critical", "a"), kT0).size() == 1);
  CHECK(rig.d.stats().inhibited == 0);
  // A second one with the same alertname is inhibited by the first (and vice versa).
  CHECK(rig.send(sev("Down", "critical", "b"), kT0 + 1s).empty());
  CHECK(rig.d.stats().inhibited == 1);
}

TEST_CASE("routing: inhibition with grouping and a resolved-by-expiry source", "[routing]") {
  auto p = with_inhibit();
  p->rules[0] = grouped(make_rule(1), {"cluster"});
  Rig rig(p);
  Alert src = sev("Down", "critical", "a");
  src.ends_at = kT0 + 5min;
  rig.send(src, kT0);
  rig.send(sev("Slow", "warning", "a"), kT0);
  auto out = rig.advance(kT0 + 30s);
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].alerts.size() == 1);
  CHECK(label(out[0].alerts[0], "alertname") == "Down");
  // The source expires at 5m; that change is paced by group_interval (last flush + 5m).
  CHECK(rig.advance(kT0 + 5min).empty());
  CHECK(rig.d.stats().expired == 1);
  out = rig.advance(kT0 + 5min + 30s);  // its resolve and the released target go out
  REQUIRE(out.size() == 1);
  CHECK(out[0].firing == 1);
  REQUIRE(out[0].alerts.size() == 2);
  CHECK(label(out[0].alerts[0], "alertname") == "Slow");
  CHECK(out[0].alerts[1].status == AlertStatus::resolved);
}

TEST_CASE("routing: mute_when holds flushes until the window ends", "[routing]") {
  auto p = make_policy({make_rule(1)});
  p->rules[0].mute_when.push_back(window(kSaturday, 0, 8 * 60));
  Rig rig(p);
  CHECK(rig.send(sev("Down", "critical", "a"), kSat + 7h).empty());
  CHECK(rig.d.stats().muted_flushes == 1);
  CHECK(rig.d.next_deadline() == kSat + 8h);
  CHECK(rig.send(sev("Down", "critical", "b"), kSat + 7h + 30min).empty());
  CHECK(rig.advance(kSat + 8h - 1s).empty());
  auto out = rig.advance(kSat + 8h);
  CHECK(out.size() == 2);
  CHECK(out[0].at == kSat + 8h);
  // Outside the window: at once.
  CHECK(rig.send(sev("Down", "critical", "c"), kSat + 9h).size() == 1);
  // The next Saturday's window holds the repeat and the resolve.
  rig.send(resolved(sev("Down", "critical", "c")), kSat + 7 * 24h + 1h);
  CHECK(rig.advance(kSat + 7 * 24h + 7h).empty());
  out = rig.advance(kSat + 7 * 24h + 8h);
  CHECK(out.size() == 3);  // two repeats and c's resolve
}

TEST_CASE("routing: mute_when in a named time zone", "[routing]") {
  const date::time_zone* berlin = find_time_zone("Europe/Berlin");
  REQUIRE(berlin != nullptr);
  auto p = make_policy({grouped(make_rule(1), {"alertname"})});
  // 09:00-10:00 Berlin = 07:00-08:00 UTC in June (CEST).
  p->rules[0].mute_when.push_back(window(kSaturday, 9 * 60, 10 * 60, berlin));
  Rig rig(p);
  rig.send(sev("Down", "critical", "a"), kSat + 6h + 59min + 50s);
  CHECK(rig.advance(kSat + 7h + 20s).empty());  // group_wait ends inside the window
  CHECK(rig.d.stats().muted_flushes == 1);
  CHECK(rig.d.next_deadline() == kSat + 8h);
  CHECK(rig.advance(kSat + 8h).size() == 1);
}
