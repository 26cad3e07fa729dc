// TenantDispatcher without grouping: dedup, resolve, expiry, limits, memory.
#include "alertgate/dispatcher.hpp"

#include "routing_helpers.hpp"

using namespace routing_test;

namespace {

Alert cpu(std::string instance = "a") {
  return make_alert({{"alertname", "HighCPU"}, {"instance", std::move(instance)}});
}

}  // namespace

TEST_CASE("routing: an ungrouped rule notifies a new alert at once", "[routing]") {
  auto p = make_policy({make_rule(1)});
  Rig rig(p);
  auto out = rig.send(cpu(), kT0);
  REQUIRE(out.size() == 1);
  const Notification& n = out[0];
  CHECK(n.rule == &p->rules[0]);
  CHECK(n.policy == p);
  CHECK(n.firing == 1);
  REQUIRE(n.alerts.size() == 1);
  CHECK(n.alerts[0].status == AlertStatus::firing);
  CHECK(n.alerts[0].rating == 50);  // second rating pass ran: warning base score
  CHECK(n.group_labels == n.alerts[0].labels);
  CHECK(n.at == kT0);
  CHECK(rig.d.active_alerts() == 1);
  CHECK(rig.d.group_count() == 1);
  CHECK(rig.d.stats().routed == 1);
  CHECK(rig.d.stats().notifications == 1);
  CHECK(rig.d.stats().notified_alerts == 1);

  // Another fingerprint is another group, also at once.
  CHECK(rig.send(cpu("b"), kT0 + 1s).size() == 1);
  CHECK(rig.d.group_count() == 2);
}

TEST_CASE("routing: re-sends are deduplicated until repeat_interval", "[routing]") {
  auto p = make_policy({make_rule(1)});
  Rig rig(p);
  REQUIRE(rig.send(cpu(), kT0).size() == 1);
  for (int i = 1; i <= 10; ++i) CHECK(rig.send(cpu(), kT0 + i * 1min).empty());
  CHECK(rig.d.stats().deduplicated == 10);
  CHECK(rig.d.next_deadline() == kT0 + 4h);
  CHECK(rig.advance(kT0 + 4h - 1s).empty());
  auto out = rig.advance(kT0 + 4h);
  REQUIRE(out.size() == 1);
  CHECK(out[0].firing == 1);
  CHECK(out[0].at == kT0 + 4h);
  CHECK(rig.d.next_deadline() == kT0 + 8h);
  // A late advance replays the deadline at its own time.
  out = rig.advance(kT0 + 9h);
  REQUIRE(out.size() == 1);
  CHECK(out[0].at == kT0 + 8h);
}

TEST_CASE("routing: a resolve is notified exactly once", "[routing]") {
  auto p = make_policy({make_rule(1)});
  Rig rig(p);
  REQUIRE(rig.send(cpu(), kT0).size() == 1);
  auto out = rig.send(resolved(cpu()), kT0 + 1min);
  REQUIRE(out.size() == 1);
  CHECK(out[0].firing == 0);
  REQUIRE(out[0].alerts.size() == 1);
  CHECK(out[0].alerts[0].status == AlertStatus::resolved);
  CHECK(rig.send(resolved(cpu()), kT0 + 2min).empty());
  CHECK(rig.advance(kT0 + 10h).empty());
  CHECK(rig.d.active_alerts() == 0);
  CHECK(rig.d.group_count() == 0);
  CHECK(rig.d.stats().notifications == 2);
  CHECK_FALSE(rig.d.next_deadline());
}

TEST_CASE("routing: a resolve of an unknown alert changes nothing", "[routing]") {
  Rig rig(make_policy({make_rule(1)}));
  CHECK(rig.send(resolved(cpu()), kT0).empty());
  CHECK(rig.d.group_count() == 0);
  CHECK(rig.d.stats().deduplicated == 1);
}

TEST_CASE("routing: firing expires into resolved when ends_at passes", "[routing]") {
  Rig rig(make_policy({make_rule(1)}));
  auto fire = [](TimePoint ends) {
    Alert a = cpu();
    a.ends_at = ends;
    return a;
  };
  REQUIRE(rig.send(fire(kT0 + 5min), kT0).size() == 1);
  CHECK(rig.d.next_deadline() == kT0 + 5min);
  // Prometheus re-sends move ends_at forward; the old deadline re-arms lazily.
  CHECK(rig.send(fire(kT0 + 9min), kT0 + 4min).empty());
  CHECK(rig.advance(kT0 + 5min).empty());
  CHECK(rig.d.next_deadline() == kT0 + 9min);
  CHECK(rig.d.active_alerts() == 1);
  auto out = rig.advance(kT0 + 9min);
  REQUIRE(out.size() == 1);
  CHECK(out[0].firing == 0);
  CHECK(out[0].alerts[0].status == AlertStatus::resolved);
  CHECK(out[0].alerts[0].ends_at == kT0 + 9min);
  CHECK(rig.d.stats().expired == 1);
  CHECK(rig.d.active_alerts() == 0);
  CHECK(rig.d.group_count() == 0);
  CHECK_FALSE(rig.d.next_deadline());

  // A firing alert that arrives after its own ends_at is a resolve.
  CHECK(rig.send(fire(kT0 + 10min), kT0 + 11min).empty());
  CHECK(rig.d.active_alerts() == 0);
}

TEST_CASE("routing: an earlier ends_at moves the expiry earlier", "[routing]") {
  Rig rig(make_policy({make_rule(1)}));
  Alert a = cpu();
  a.ends_at = kT0 + 1h;
  REQUIRE(rig.send(a, kT0).size() == 1);
  a.ends_at = kT0 + 2min;
  CHECK(rig.send(a, kT0 + 1min).empty());
  CHECK(rig.d.next_deadline() == kT0 + 2min);
  CHECK(rig.advance(kT0 + 2min).size() == 1);
  CHECK_FALSE(rig.d.next_deadline());
}

TEST_CASE("routing: alerts no rule takes are unrouted but stay active", "[routing]") {
  Rig rig(make_policy({make_rule(1, {Severity::critical})}));
  CHECK(rig.send(cpu(), kT0).empty());
  CHECK(rig.d.stats().unrouted == 1);
  CHECK(rig.d.active_alerts() == 1);  // it may still inhibit others
  CHECK(rig.d.group_count() == 0);
  CHECK(rig.send(resolved(cpu()), kT0 + 1s).empty());
  CHECK(rig.d.active_alerts() == 0);
}

TEST_CASE("routing: max_active_alerts drops new fingerprints beyond it", "[routing]") {
  DispatcherSettings s;
  s.max_active_alerts = 2;
  Rig rig(make_policy({make_rule(1)}), s);
  CHECK(rig.send(cpu("a"), kT0).size() == 1);
  CHECK(rig.send(cpu("b"), kT0).size() == 1);
  CHECK(rig.send(cpu("c"), kT0).empty());
  CHECK(rig.d.stats().dropped_active_limit == 1);
  CHECK(rig.d.active_alerts() == 2);
  CHECK(rig.send(cpu("a"), kT0 + 1s).empty());  // known fingerprints still pass
  CHECK(rig.d.stats().deduplicated == 1);
  CHECK(rig.send(resolved(cpu("a")), kT0 + 2s).size() == 1);
  CHECK(rig.send(cpu("c"), kT0 + 3s).size() == 1);
  CHECK(rig.d.stats().dropped_active_limit == 1);
}

TEST_CASE("routing: state is released once alerts resolve", "[routing]") {
  // Each alert in two groups: its own (rule 1, continue) and the alertname group (rule 2).
  auto p = make_policy({make_rule(1), grouped(make_rule(2), {"alertname"})});
  p->rules[0].continue_matching = true;
  Rig rig(p);
  for (int i = 0; i < 500; ++i) {
    Alert a = cpu("host-" + std::to_string(i));
    a.ends_at = kT0 + 10min;
    rig.send(std::move(a), kT0);
  }
  CHECK(rig.d.active_alerts() == 500);
  CHECK(rig.d.group_count() == 501);
  for (int i = 0; i < 250; ++i) rig.send(resolved(cpu("host-" + std::to_string(i))), kT0 + 1min);
  auto out = rig.advance(kT0 + 1h);
  CHECK(rig.d.active_alerts() == 0);
  CHECK(rig.d.group_count() == 0);
  CHECK(rig.d.stats().expired == 250);
  CHECK_FALSE(rig.d.next_deadline());
}
