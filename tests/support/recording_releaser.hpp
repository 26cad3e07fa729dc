// RecordingReleaser: an AlertReleaser (include/alertgate/alert_release.hpp) that records
// what it is told, for tests of who releases an alert's log record and when. Not
// thread-safe: read it after the threads that call it have stopped or been drained.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "alertgate/alert_release.hpp"

namespace alertgate::testing {

struct RecordingReleaser final : AlertReleaser {
  struct Final {
    std::string alert_id;
    std::uint64_t destination = 0;
    bool delivered = false;
  };
  std::vector<std::uint64_t> released;  // segments, in order
  std::vector<Final> finals;            // recorded, in order
  std::vector<Final> done_before;       // what a "previous process" finished

  void release(const Alert& a) override { released.push_back(a.wal_segment); }
  void delivery_final(const Alert& a, std::uint64_t destination, bool delivered) override {
    finals.push_back({a.alert_id, destination, delivered});
  }
  bool already_final(const Alert& a, std::uint64_t destination) const override {
    for (const auto& f : done_before) {
      if (f.alert_id == a.alert_id && f.destination == destination) return true;
    }
    return false;
  }
};

}  // namespace alertgate::testing
