// durability: wal: which place owns an alert's log record, and when it is released
// (include/alertgate/alert_release.hpp).
#include "alertgate/alert_release.hpp"
#include "alertgate/dispatcher.hpp"

#include "routing_helpers.hpp"
#include "support/recording_releaser.hpp"

using namespace routing_test;
using alertgate::testing::RecordingReleaser;

namespace {

Alert logged(std::string instance, std::uint64_t segment) {
  Alert a = make_alert({{"alertname", "HighCPU"}, {"instance", std::move(instance)}});
  a.wal_segment = segment;
  a.wal_shard = 0;
  return a;
}

DispatcherSettings with(RecordingReleaser& r) {
  DispatcherSettings s;
  s.releaser = &r;
  return s;
}

}  // namespace

TEST_CASE("routing: a notification takes the alert's record, a re-send is released at once",
          "[routing]") {
  RecordingReleaser r;
  Rig rig(make_policy({make_rule(1)}), with(r));
  auto out = rig.send(logged("a", 7), kT0);
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].alerts.size() == 1);
  CHECK(out[0].alerts[0].wal_segment == 7);  // the notification owns it now
  CHECK(r.released.empty());
  // A re-send of the notified alert: nothing to deliver, its own record goes at once.
  CHECK(rig.send(logged("a", 8), kT0 + 1min).empty());
  CHECK(r.released == std::vector<std::uint64_t>{8});
  // The repeat notification carries no record: the first notification's release is the
  // only one.
  out = rig.advance(kT0 + 4h);
  REQUIRE(out.size() == 1);
  CHECK(out[0].alerts[0].wal_segment == 0);
}

TEST_CASE("routing: a re-send before the flush supersedes the pending record", "[routing]") {
  RecordingReleaser r;
  Rig rig(make_policy({grouped(make_rule(1), {"alertname"})}), with(r));  // group_wait 30s
  CHECK(rig.send(logged("a", 1), kT0).empty());
  CHECK(rig.send(logged("a", 2), kT0 + 1s).empty());
  CHECK(r.released == std::vector<std::uint64_t>{1});  // the newer version will be notified
  auto out = rig.advance(kT0 + 30s);
  REQUIRE(out.size() == 1);
  CHECK(out[0].alerts[0].wal_segment == 2);
  CHECK(r.released == std::vector<std::uint64_t>{1});
}

TEST_CASE("routing: unrouted, unknown resolves and dropped alerts release their records",
          "[routing]") {
  RecordingReleaser r;
  DispatcherSettings s = with(r);
  s.max_active_alerts = 1;
  Rig rig(make_policy({make_rule(1, {Severity::critical})}), s);  // takes criticals only
  CHECK(rig.send(logged("a", 3), kT0).empty());                   // a warning: no rule
  CHECK(rig.send(resolved(logged("b", 4)), kT0).empty());         // resolves nothing known
  CHECK(rig.send(logged("c", 5), kT0).empty());                   // over max_active_alerts
  CHECK(r.released == std::vector<std::uint64_t>{3, 4, 5});
}
