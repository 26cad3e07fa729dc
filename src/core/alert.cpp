#include "alertgate/alert.hpp"

#include <algorithm>
#include <cstring>

namespace alertgate {

namespace {
auto lower_bound_name(LabelSet& set, std::string_view name) {
  return std::lower_bound(set.begin(), set.end(), name,
                          [](const Label& l, std::string_view n) { return l.name < n; });
}
}  // namespace

const std::string* find_label(const LabelSet& set, std::string_view name) {
  // Alert label sets are small: a linear scan that compares lengths first does about one
  // memcmp per lookup, where a binary search does a full string compare per step
  // (bench/micro route benchmarks: routing spends most of its time here and in memcmp).
  constexpr std::size_t kLinear = 16;
  if (set.size() <= kLinear) {
    for (const Label& l : set) {
      if (l.name.size() == name.size() && std::memcmp(l.name.data(), name.data(), name.size()) == 0)
        return &l.value;
    }
    return nullptr;
  }
  auto it = std::lower_bound(set.begin(), set.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != set.end() && it->name == name) return &it->value;
  return nullptr;
}

void set_label(LabelSet& set, std::string_view name, std::string_view value) {
  auto it = lower_bound_name(set, name);
  if (it != set.end() && it->name == name) {
    it->value.assign(value);
    return;
  }
  set.insert(it, Label{std::string(name), std::string(value)});
}

void sort_labels(LabelSet& set) {
  std::sort(set.begin(), set.end(), [](const Label& a, const Label& b) { return a.name < b.name; });
}

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::critical: return "critical";
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::info: return "info";
  }
  return "warning";
}

std::string_view to_string(AlertStatus s) {
  return s == AlertStatus::resolved ? "resolved" : "firing";
}

std::string_view to_string(SourceFormat f) {
  switch (f) {
    case SourceFormat::alertmanager_v2: return "alertmanager_v2";
    case SourceFormat::native: return "native";
    case SourceFormat::pagerduty: return "pagerduty";
  }
  return "native";
}

}  // namespace alertgate
