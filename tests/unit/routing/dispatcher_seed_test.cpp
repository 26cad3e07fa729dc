// The notification log across restarts: a dispatcher seeded with what an earlier process
// notified does not notify it again, notifies only what is new, and still notifies the
// resolve of an alert it never saw firing.
#include "routing_helpers.hpp"

using namespace routing_test;

namespace {

std::vector<NotifiedGroup> log_of(const TenantDispatcher& d) {
  std::vector<NotifiedGroup> out;
  d.notified_groups(out);
  return out;
}

Alert host(const std::string& instance, AlertStatus status = AlertStatus::firing) {
  return make_alert({{"alertname", "HighCPU"}, {"instance", instance}}, Severity::warning, status);
}

}  // namespace

TEST_CASE("routing: a seeded group does not notify again what the last process sent", "[routing]") {
  auto policy = make_policy({grouped(make_rule(1), {"alertname"})});  // group_wait 30s
  Rig before(policy);
  before.send(host("a"), kT0);
  before.send(host("b"), kT0);
  auto out = before.advance(kT0 + 30s);
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].alerts.size() == 2);
  const auto log = log_of(before.d);
  REQUIRE(log.size() == 1);
  CHECK(log[0].key == out[0].group_key);
  CHECK(log[0].last_notify == kT0 + 30s);
  CHECK(log[0].firing.size() == 2);

  // A restart: Prometheus re-sends both firing alerts and a new one.
  Rig after(policy);
  after.d.seed(log, kT0 + 1min);
  after.send(host("a"), kT0 + 1min);
  after.send(host("b"), kT0 + 1min);
  CHECK(after.advance(kT0 + 1min + 30s).empty());  // nothing new: not notified again
  // The repeat runs on the earlier process's clock: repeat_interval after its notification.
  CHECK(after.advance(kT0 + 30s + 4h - 1s).empty());
  after.send(host("a"), kT0 + 30s + 4h - 1s);  // Prometheus keeps them firing
  after.send(host("b"), kT0 + 30s + 4h - 1s);
  auto repeat = after.advance(kT0 + 30s + 4h);
  REQUIRE(repeat.size() == 1);
  CHECK(repeat[0].alerts.size() == 2);
  // Something new is notified as usual, with the group's whole state.
  out = after.send(host("c"), kT0 + 5h);  // group_interval is over: flushed at once
  REQUIRE(out.size() == 1);
  CHECK(out[0].alerts.size() == 3);
}

TEST_CASE("routing: a resolve of an alert the last process notified is notified", "[routing]") {
  auto policy = make_policy({grouped(make_rule(1), {"alertname"})});
  Rig before(policy);
  before.send(host("a"), kT0);
  REQUIRE(before.advance(kT0 + 30s).size() == 1);

  Rig after(policy);
  after.d.seed(log_of(before.d), kT0 + 1min);
  // The first thing the new process hears of `a` is its resolve.
  CHECK(after.send(host("a", AlertStatus::resolved), kT0 + 1min).empty());
  auto out = after.advance(kT0 + 1min + 30s);
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].alerts.size() == 1);
  CHECK(out[0].alerts[0].status == AlertStatus::resolved);
  CHECK(out[0].firing == 0);
  // Without the seed, the same resolve is dropped (never notified firing here).
  Rig fresh(policy);
  fresh.send(host("a", AlertStatus::resolved), kT0 + 1min);
  CHECK(fresh.advance(kT0 + 1min + 30s).empty());
  // A resolve the earlier process never notified firing stays unnotified with the seed.
  CHECK(after.send(host("z", AlertStatus::resolved), kT0 + 2min).empty());
  CHECK(after.advance(kT0 + 3min).empty());
}

TEST_CASE("routing: seeds merge, expire after 120h and are exported until used", "[routing]") {
  auto policy = make_policy({grouped(make_rule(1), {"alertname"})});
  Rig d(policy);
  d.d.seed({{7, kT0, {3, 1}}, {9, kT0 - 121h, {5}}}, kT0 + 1min);
  d.d.seed({{7, kT0 + 1s, {2}}}, kT0 + 1min);  // two earlier processes
  const auto log = log_of(d.d);
  REQUIRE(log.size() == 1);  // the 121h old one is gone
  CHECK(log[0] == NotifiedGroup{7, kT0 + 1s, {1, 2, 3}});
}

TEST_CASE("routing: a replayed alert is notified though the seed says its group notified it",
          "[routing]") {
  auto policy = make_policy({grouped(make_rule(1), {"alertname"})});
  Rig before(policy);
  before.send(host("a"), kT0);
  REQUIRE(before.advance(kT0 + 30s).size() == 1);  // produced; its delivery never finished

  Rig after(policy);
  after.d.seed(log_of(before.d), kT0 + 1min);
  Alert replayed = host("a");
  replayed.replayed = true;  // from the earlier process's write-ahead log
  after.send(replayed, kT0 + 1min);
  after.send(host("a"), kT0 + 1min + 1s);  // a re-send before the flush keeps it owed
  auto out = after.advance(kT0 + 1min + 30s);
  REQUIRE(out.size() == 1);
  CHECK(out[0].alerts.size() == 1);
}
