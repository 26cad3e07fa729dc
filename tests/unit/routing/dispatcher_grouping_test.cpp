// TenantDispatcher with group_by: group_wait, group_interval, repeat_interval.
#include "alertgate/dispatcher.hpp"

#include "routing_helpers.hpp"

using namespace routing_test;

namespace {

Alert disk(std::string instance, std::string cluster = "eu") {
  return make_alert(
      {{"alertname", "DiskFull"}, {"instance", std::move(instance)}, {"cluster", cluster}});
}

std::shared_ptr<TenantPolicy> by_alertname() {
  return make_policy({grouped(make_rule(7), {"alertname", "team"})});
}

}  // namespace

TEST_CASE("routing: group_wait batches alerts into one notification", "[routing]") {
  auto p = by_alertname();
  Rig rig(p);
  CHECK(rig.send(disk("a"), kT0).empty());
  CHECK(rig.send(disk("b"), kT0 + 10s).empty());
  CHECK(rig.send(disk("c", "us"), kT0 + 20s).empty());
  CHECK(rig.d.group_count() == 1);
  CHECK(rig.d.next_deadline() == kT0 + 30s);
  CHECK(rig.advance(kT0 + 29s).empty());
  auto out = rig.advance(kT0 + 30s);
  REQUIRE(out.size() == 1);
  CHECK(out[0].alerts.size() == 3);
  CHECK(out[0].firing == 3);
  CHECK(out[0].group_labels == LabelSet{{"alertname", "DiskFull"}});  // absent `team` omitted
  CHECK(label(out[0].alerts[0], "instance") == "a");                  // arrival order

  // A different alertname is another group.
  CHECK(rig.send(make_alert({{"alertname", "Other"}}), kT0 + 31s).empty());
  CHECK(rig.d.group_count() == 2);
}

TEST_CASE("routing: group_interval paces later changes", "[routing]") {
  Rig rig(by_alertname());
  rig.send(disk("a"), kT0);
  REQUIRE(rig.advance(kT0 + 30s).size() == 1);
  CHECK(rig.send(disk("a"), kT0 + 1min).empty());  // re-send: no change
  CHECK(rig.d.next_deadline() == kT0 + 30s + 4h);
  CHECK(rig.send(disk("b"), kT0 + 1min).empty());  // new alert: a change
  CHECK(rig.d.next_deadline() == kT0 + 30s + 5min);
  CHECK(rig.advance(kT0 + 5min + 29s).empty());
  auto out = rig.advance(kT0 + 5min + 30s);
  REQUIRE(out.size() == 1);
  CHECK(out[0].firing == 2);

  // A change long after the last flush goes out at once.
  out = rig.send(disk("c"), kT0 + 1h);
  REQUIRE(out.size() == 1);
  CHECK(out[0].firing == 3);

  // A resolve is a change too, paced the same way; it is sent with the firing ones.
  CHECK(rig.send(resolved(disk("a")), kT0 + 1h + 1min).empty());
  out = rig.advance(kT0 + 1h + 5min);
  REQUIRE(out.size() == 1);
  CHECK(out[0].firing == 2);
  REQUIRE(out[0].alerts.size() == 3);
  CHECK(out[0].alerts[2].status == AlertStatus::resolved);
  CHECK(label(out[0].alerts[2], "instance") == "a");
}

TEST_CASE("routing: repeat_interval re-notifies an unchanged group", "[routing]") {
  auto p = by_alertname();
  p->rules[0].grouping.repeat_interval = 1h;
  Rig rig(p);
  rig.send(disk("a"), kT0);
  rig.send(disk("b"), kT0);
  REQUIRE(rig.advance(kT0 + 30s).size() == 1);
  for (int i = 1; i < 60; ++i) {
    CHECK(rig.send(disk("a"), kT0 + 30s + i * 1min).empty());
    CHECK(rig.send(disk("b"), kT0 + 30s + i * 1min).empty());
  }
  auto out = rig.advance(kT0 + 30s + 1h);
  REQUIRE(out.size() == 1);
  CHECK(out[0].firing == 2);
  CHECK(rig.advance(kT0 + 30s + 2h).size() == 1);
  CHECK(rig.d.stats().notifications == 3);
}

TEST_CASE("routing: an alert resolved during group_wait is dropped silently", "[routing]") {
  Rig rig(by_alertname());
  rig.send(disk("a"), kT0);
  CHECK(rig.send(resolved(disk("a")), kT0 + 10s).empty());
  CHECK(rig.advance(kT0 + 1h).empty());
  CHECK(rig.d.group_count() == 0);
  CHECK(rig.d.active_alerts() == 0);
  CHECK(rig.d.stats().notifications == 0);
  CHECK_FALSE(rig.d.next_deadline());

  // With a notified sibling, only the notified one's resolve is sent.
  rig.send(disk("b"), kT0 + 2h);
  REQUIRE(rig.advance(kT0 + 2h + 30s).size() == 1);
  rig.send(disk("c"), kT0 + 2h + 1min);
  rig.send(resolved(disk("c")), kT0 + 2h + 2min);
  CHECK(rig.advance(kT0 + 2h + 5min + 30s).empty());   // c never told: nothing to say
  auto out = rig.send(resolved(disk("b")), kT0 + 3h);  // last flush long ago: at once
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].alerts.size() == 1);
  CHECK(label(out[0].alerts[0], "instance") == "b");
  CHECK(rig.d.group_count() == 0);
}

TEST_CASE("routing: new annotations are no change but the flush carries them", "[routing]") {
  Rig rig(by_alertname());
  rig.send(disk("a"), kT0);
  REQUIRE(rig.advance(kT0 + 30s).size() == 1);
  Alert a = disk("a");
  a.annotations = {{"summary", "now 99%"}};
  CHECK(rig.send(a, kT0 + 1min).empty());
  CHECK(rig.d.next_deadline() == kT0 + 30s + 4h);
  rig.send(disk("b"), kT0 + 2min);
  auto out = rig.advance(kT0 + 5min + 30s);
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].alerts.size() == 2);
  CHECK(out[0].alerts[0].annotations == LabelSet{{"summary", "now 99%"}});
}

TEST_CASE("routing: group_by [...] makes a group per label set", "[routing]") {
  Rig rig(make_policy({grouped(make_rule(3), {"..."})}));
  rig.send(disk("a"), kT0);
  rig.send(disk("b"), kT0);
  CHECK(rig.d.group_count() == 2);
  auto out = rig.advance(kT0 + 30s);
  REQUIRE(out.size() == 2);
  CHECK(out[0].group_labels == out[0].alerts[0].labels);
}

TEST_CASE("routing: a re-firing alert whose resolve is pending is no news", "[routing]") {
  Rig rig(by_alertname());
  rig.send(disk("a"), kT0);
  REQUIRE(rig.advance(kT0 + 30s).size() == 1);
  rig.send(resolved(disk("a")), kT0 + 1min);
  rig.send(disk("a"), kT0 + 2min);
  CHECK(rig.advance(kT0 + 5min + 30s).empty());
  CHECK(rig.d.active_alerts() == 1);
  CHECK(rig.advance(kT0 + 30s + 4h).size() == 1);  // repeat as usual
}

TEST_CASE("routing: flush_pending sends waiting groups at once, repeats stay scheduled",
          "[routing]") {
  Rig rig(by_alertname());
  rig.send(disk("a"), kT0);
  REQUIRE(rig.advance(kT0 + 30s).size() == 1);                // notified: now only a repeat is due
  rig.send(make_alert({{"alertname", "Fresh"}}), kT0 + 40s);  // waits for group_wait
  std::vector<Notification> out;
  rig.d.flush_pending(kT0 + 41s, out);
  REQUIRE(out.size() == 1);
  CHECK(label(out[0].alerts[0], "alertname") == "Fresh");
  out.clear();
  rig.d.flush_pending(kT0 + 42s, out);
  CHECK(out.empty());  // nothing new: neither group is sent again
}
