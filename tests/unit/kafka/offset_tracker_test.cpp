#include "kafka/offset_tracker.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

using namespace alertgate::kafka;
using Done = OffsetTracker::DoneResult;

TEST_CASE("offset tracker: commits only over the contiguous done prefix") {
  OffsetTracker t;
  const auto slot = t.assign("alerts-a", 0);
  CHECK(t.commit_point(slot) == OffsetTracker::kNoOffset);
  CHECK_FALSE(t.commit_due(slot));

  std::vector<MessageToken> tokens;
  for (std::int64_t o = 10; o < 15; ++o) tokens.push_back(t.track(slot, o));
  CHECK(t.in_flight() == 5);
  CHECK(t.commit_point(slot) == 10);  // nothing done: restart at the first one
  CHECK_FALSE(t.commit_due(slot));    // which is where the group already is

  CHECK(t.uncommitted() == 5);
  CHECK(t.done(tokens[2]) == Done::applied);  // 12
  CHECK(t.done(tokens[4]) == Done::applied);  // 14
  CHECK(t.commit_point(slot) == 10);
  CHECK(t.in_flight() == 3);
  CHECK(t.uncommitted() == 5);                // 12 and 14 are done but behind 10
  CHECK(t.done(tokens[0]) == Done::applied);  // 10
  CHECK(t.commit_point(slot) == 11);
  CHECK(t.commit_due(slot));
  CHECK(t.done(tokens[1]) == Done::applied);  // 11 -> 12 done too -> 13 is the lowest undone
  CHECK(t.commit_point(slot) == 13);
  CHECK(t.in_flight() == 1);
  CHECK(t.uncommitted() == 2);  // 13 and 14
  CHECK(t.done(tokens[3]) == Done::applied);
  CHECK(t.commit_point(slot) == 15);  // one past the highest
  CHECK(t.in_flight() == 0);
  CHECK(t.done(tokens[3]) == Done::duplicate);
  CHECK(t.done(tokens[0]) == Done::duplicate);

  CHECK(t.commit_due(slot));
  t.mark_committed(slot, 15);
  CHECK_FALSE(t.commit_due(slot));
  t.forget_committed();
  CHECK(t.commit_due(slot));
}

TEST_CASE("offset tracker: gaps in offsets (compacted topics)") {
  OffsetTracker t;
  const auto slot = t.assign("alerts-a", 3);
  const auto a = t.track(slot, 5);
  const auto b = t.track(slot, 9);
  const auto c = t.track(slot, 20);
  CHECK(t.done(b) == Done::applied);
  CHECK(t.commit_point(slot) == 5);
  CHECK(t.done(a) == Done::applied);
  CHECK(t.commit_point(slot) == 20);  // 6..8, 10..19 do not exist
  CHECK(t.done(c) == Done::applied);
  CHECK(t.commit_point(slot) == 21);
}

TEST_CASE("offset tracker: partitions are independent") {
  OffsetTracker t;
  const auto a = t.assign("alerts-a", 0);
  const auto b = t.assign("alerts-a", 1);
  const auto c = t.assign("alerts-b", 0);
  CHECK(a != b);
  CHECK(b != c);
  CHECK(t.find("alerts-a", 1) == b);
  CHECK(t.find("alerts-b", 0) == c);
  CHECK(t.find("alerts-b", 1) == OffsetTracker::kNoSlot);
  CHECK(t.find("alerts-c", 0) == OffsetTracker::kNoSlot);
  CHECK(t.topic(c) == "alerts-b");
  CHECK(t.partition(b) == 1);

  const auto ta = t.track(a, 0);
  const auto tb = t.track(b, 0);
  t.track(c, 7);
  CHECK(t.done(tb) == Done::applied);
  CHECK(t.commit_point(a) == 0);
  CHECK(t.commit_point(b) == 1);
  CHECK(t.commit_point(c) == 7);
  CHECK(t.in_flight() == 2);
  CHECK(t.in_flight(a) == 1);
  CHECK(t.done(ta) == Done::applied);
  CHECK(t.active_slots() == std::vector<std::uint32_t>{a, b, c});
}

TEST_CASE("offset tracker: revoke returns the commit point and makes late done() stale") {
  OffsetTracker t;
  const auto slot = t.assign("alerts-a", 0);
  const auto m0 = t.track(slot, 0);
  const auto m1 = t.track(slot, 1);
  const auto m2 = t.track(slot, 2);
  CHECK(t.done(m0) == Done::applied);
  CHECK(t.done(m2) == Done::applied);
  CHECK(t.uncommitted() == 2);
  CHECK(t.revoke(slot) == 1);  // 1 was not done: the next owner starts there
  CHECK_FALSE(t.active(slot));
  CHECK(t.in_flight() == 0);
  CHECK(t.uncommitted() == 0);
  CHECK(t.active_slots().empty());
  CHECK(t.done(m1) == Done::stale);
  CHECK(t.revoke(slot) == OffsetTracker::kNoOffset);  // twice: nothing

  // Assigned again (same slot, new epoch): tokens of the old assignment stay stale even for
  // offsets consumed again.
  const auto again = t.assign("alerts-a", 0);
  CHECK(again == slot);
  const auto n1 = t.track(slot, 1);
  CHECK(n1.epoch != m1.epoch);
  CHECK(t.done(m1) == Done::stale);
  CHECK(t.in_flight() == 1);
  CHECK(t.done(n1) == Done::applied);
  CHECK(t.commit_point(slot) == 2);
  CHECK(t.done(MessageToken{99, 1, 0}) == Done::stale);  // unknown slot
}

TEST_CASE("offset tracker: an offset consumed again (seek or reset) is undone again") {
  OffsetTracker t;
  const auto slot = t.assign("alerts-a", 0);
  const auto m3 = t.track(slot, 3);
  const auto m4 = t.track(slot, 4);
  const auto m5 = t.track(slot, 5);
  CHECK(t.done(m4) == Done::applied);
  CHECK(t.done(m3) == Done::applied);
  CHECK(t.commit_point(slot) == 5);
  // Re-fetched from 1: 1 and 2 are new, earlier than the window.
  const auto r1 = t.track(slot, 1);
  CHECK(t.commit_point(slot) == 1);
  CHECK(t.in_flight() == 2);
  t.track(slot, 5);  // still undone: the same entry
  CHECK(t.in_flight() == 2);
  CHECK(t.done(r1) == Done::applied);
  CHECK(t.done(m5) == Done::applied);
  CHECK(t.commit_point(slot) == 6);
}

TEST_CASE("offset tracker: random completion order never commits past an undone offset") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    OffsetTracker t;
    const auto slot = t.assign("alerts-x", 0);
    std::vector<MessageToken> tokens;
    std::int64_t offset = static_cast<std::int64_t>(rng() % 100);
    for (int i = 0; i < 200; ++i) {
      offset += 1 + static_cast<std::int64_t>(rng() % 3);  // with gaps
      tokens.push_back(t.track(slot, offset));
    }
    std::vector<MessageToken> order = tokens;
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<bool> done(tokens.size(), false);
    for (const MessageToken& tok : order) {
      REQUIRE(t.done(tok) == Done::applied);
      const auto i =
          static_cast<std::size_t>(std::find(tokens.begin(), tokens.end(), tok) - tokens.begin());
      done[i] = true;
      // Expected: the first undone offset, or one past the last.
      std::int64_t want = tokens.back().offset + 1;
      for (std::size_t j = 0; j < tokens.size(); ++j) {
        if (!done[j]) {
          want = tokens[j].offset;
          break;
        }
      }
      REQUIRE(t.commit_point(slot) == want);
    }
    CHECK(t.in_flight() == 0);
    CHECK(t.uncommitted() == 0);
  }
}
