// Helpers for the WAL tests: sample alerts, waiting with a deadline, segment files.
#pragma once

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/wal/segment_format.hpp"

namespace alertgate::wal::testing {

// An alert with every field set to a value derived from `i`.
inline Alert sample_alert(int i, std::size_t pad = 0) {
  Alert a;
  a.labels = {{"alertname", "Disk" + std::to_string(i)}, {"instance", "host-1:9100"}};
  a.annotations = {{"summary", "disk almost full" + std::string(pad, 'x')}};
  a.starts_at = TimePoint(std::chrono::nanoseconds(1'700'000'000'123'456'789LL + i));
  a.ends_at = TimePoint(std::chrono::nanoseconds(-5));
  a.generator_url = "http://prom:9090/graph";
  a.severity_raw = "crit";
  a.dedup_key = "dk-" + std::to_string(i);
  a.source_format = SourceFormat::pagerduty;
  a.tenant_id = "t-1";
  a.severity = Severity::critical;
  a.status = AlertStatus::resolved;
  a.rating = 97;
  a.fingerprint = 0xFEEDFACECAFEBEEFull ^ static_cast<std::uint64_t>(i);
  a.alert_id = "01J" + std::to_string(100000 + i);
  a.received_at = TimePoint(std::chrono::nanoseconds(1'700'000'001'000'000'000LL));
  a.trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  return a;
}

// Polls `pred` until it holds or 10 s pass; returns its last value.
template <class Pred>
bool wait_for(Pred&& pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::yield();
  }
  return true;
}

// The segment files of one shard directory, oldest first.
inline std::vector<std::filesystem::path> segment_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (parse_segment_name(e.path().filename().string())) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace alertgate::wal::testing
