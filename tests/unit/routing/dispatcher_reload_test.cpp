// TenantDispatcher: set_policy and the second rating pass.
#include "alertgate/dispatcher.hpp"

#include "routing_helpers.hpp"

using namespace routing_test;

namespace {

Alert cpu(std::string instance = "a") {
  return make_alert({{"alertname", "HighCPU"}, {"instance", std::move(instance)}});
}

}  // namespace

TEST_CASE("routing: set_policy with the same content_hash changes nothing", "[routing]") {
  auto p = make_policy({make_rule(1)}, 42);
  Rig rig(p);
  rig.d.set_policy(make_policy({make_rule(2, {Severity::critical})}, 42));
  CHECK(rig.d.policy() == p);
  CHECK(rig.send(cpu(), kT0).size() == 1);
}

TEST_CASE("routing: set_policy keeps the state of unchanged rules", "[routing]") {
  auto p1 = make_policy({make_rule(1)}, 1);
  Rig rig(p1);
  REQUIRE(rig.send(cpu(), kT0).size() == 1);
  auto p2 = make_policy({make_rule(5, {Severity::critical}), make_rule(1)}, 2);
  rig.d.set_policy(p2);
  CHECK(rig.d.policy() == p2);
  CHECK(rig.send(cpu(), kT0 + 1min).empty());  // no second notification
  CHECK(rig.d.group_count() == 1);
  CHECK(rig.d.next_deadline() == kT0 + 4h);  // timer kept
  auto out = rig.send(resolved(cpu()), kT0 + 2min);
  REQUIRE(out.size() == 1);
  CHECK(out[0].rule == &p2->rules[1]);
  CHECK(out[0].policy == p2);
}

TEST_CASE("routing: groups of a vanished rule drain on the old policy", "[routing]") {
  auto p1 = make_policy({make_rule(1)}, 1);
  const Rule* old_rule = &p1->rules[0];
  std::weak_ptr<const TenantPolicy> weak = p1;
  Rig rig(p1);
  REQUIRE(rig.send(cpu("a"), kT0).size() == 1);
  auto p2 = make_policy({make_rule(2)}, 2);
  rig.d.set_policy(p2);
  p1.reset();
  CHECK_FALSE(weak.expired());  // the old group holds it

  // New alerts route by the new policy; the old alert stays in its old group.
  auto out = rig.send(cpu("b"), kT0 + 1min);
  REQUIRE(out.size() == 1);
  CHECK(out[0].rule == &p2->rules[0]);
  CHECK(rig.send(cpu("a"), kT0 + 2min).size() == 1);  // re-send joins the new rule's group
  CHECK(rig.d.group_count() == 3);

  // Its resolve reaches the old group (which notified it) and the new one.
  out = rig.send(resolved(cpu("a")), kT0 + 3min);
  REQUIRE(out.size() == 2);
  int old_seen = 0;
  for (const Notification& n : out) {
    if (n.rule == old_rule) ++old_seen;
    CHECK(n.firing == 0);
  }
  CHECK(old_seen == 1);
  out.clear();
  CHECK(weak.expired());  // the last old group is gone
  CHECK(rig.d.group_count() == 1);
}

TEST_CASE("routing: flapping label and rating show on notified alerts", "[routing]") {
  auto p = make_policy({make_rule(1)});
  Rule high = make_rule(2);
  high.min_rating = 60;
  p->rules.insert(p->rules.begin(), high);
  Rig rig(p);
  auto out = rig.send(cpu(), kT0);
  REQUIRE(out.size() == 1);
  CHECK(out[0].rule->key == 1);
  CHECK(label(out[0].alerts[0], "flapping").empty());
  // Flip it: more than 4 status changes in an hour is flapping (+10), and each new firing
  // after the first adds recurrence (+5 each, at most +20).
  TimePoint t = kT0;
  for (int i = 0; i < 3; ++i) {
    t += 1min;
    rig.send(resolved(cpu()), t);
    t += 1min;
    out = rig.send(cpu(), t);
  }
  REQUIRE(out.size() == 1);
  const Alert& a = out[0].alerts[0];
  CHECK(label(a, "flapping") == "true");
  CHECK(int{a.rating} == 50 + 15 + 10);
  CHECK(out[0].rule->key == 2);  // the higher rating takes the min_rating rule
}
