// `limits:` and `enrich:` of a tenant file.
#include <charconv>
#include <string>

#include "policy_parsers.hpp"

namespace alertgate {

namespace {

constexpr double kMaxRate = 1e7;  // alerts/s
constexpr std::int64_t kMaxBurst = 100'000'000;
constexpr std::int64_t kMaxQueue = 10'000'000;
constexpr std::int64_t kMaxActiveAlerts = 10'000'000;
constexpr std::size_t kMaxEnrichLabels = 64;

void load_rate(YamlReader& reader, const YamlMap& map, TenantLimits& limits) {
  const YamlMap::Entry* e = map.find("rate");
  if (e == nullptr) return;
  std::optional<double> v;
  if (e->value.IsScalar() && e->value.Tag() == "?") v = parse_plain_number(e->value.Scalar());
  if (!v) {
    const std::string got = e->value.IsScalar() ? quote_for_message(e->value.Scalar())
                                                : std::string(describe_node(e->value));
    reader.error(value_mark(*e), "\"rate\": expected a number (alerts per second), got " + got);
    return;
  }
  if (!(*v > 0) || *v > kMaxRate) {
    reader.error(value_mark(*e),
                 "\"rate\": " + e->value.Scalar() + " is out of range (0..10000000], alerts/s");
    return;
  }
  limits.rate = *v;
}

}  // namespace

std::optional<double> parse_plain_number(std::string_view s) {
  const auto dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  auto digits = [](std::string_view d) {
    return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (!digits(whole) || (dot != std::string_view::npos && !digits(frac))) return std::nullopt;
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

void load_limits(YamlReader& reader, const YamlMap& root, TenantLimits& limits) {
  const YamlMap::Entry* entry = root.find("limits");
  if (entry == nullptr) return;
  auto map = reader.map(entry->value, "\"limits\"", entry->key_mark);
  if (!map) return;
  reader.check_keys(*map, {"rate", "burst", "max_queue", "max_active_alerts"});
  load_rate(reader, *map, limits);
  if (auto v = reader.get_int(*map, "burst", false, {1, kMaxBurst})) {
    limits.burst = static_cast<std::uint32_t>(*v);
  }
  if (auto v = reader.get_int(*map, "max_queue", false, {1, kMaxQueue})) {
    limits.max_queue = static_cast<std::size_t>(*v);
  }
  if (auto v = reader.get_int(*map, "max_active_alerts", false, {1, kMaxActiveAlerts})) {
    limits.max_active_alerts = static_cast<std::size_t>(*v);
  }
}

void load_enrich(YamlReader& reader, const YamlMap& root, LabelSet& labels) {
  const YamlMap::Entry* entry = root.find("enrich");
  if (entry == nullptr) return;
  auto map = reader.map(entry->value, "\"enrich\"", entry->key_mark);
  if (!map) return;
  reader.check_keys(*map, {"labels"});
  const YamlMap::Entry* labels_entry = map->find("labels");
  if (labels_entry == nullptr) return;
  auto label_map = reader.map(labels_entry->value, "\"labels\"", labels_entry->key_mark);
  if (!label_map) return;
  if (label_map->entries().size() > kMaxEnrichLabels) {
    reader.error(label_map->mark(),
                 "\"labels\": more than " + std::to_string(kMaxEnrichLabels) + " labels");
    return;
  }
  for (const YamlMap::Entry& e : label_map->entries()) {
    if (!valid_label_name(e.key)) {
      reader.error(e.key_mark, "invalid label name " + quote_for_message(e.key) +
                                   " (want [a-zA-Z_][a-zA-Z0-9_]*)");
      continue;
    }
    if (!e.value.IsScalar()) {
      reader.error(value_mark(e), "\"" + e.key + "\": expected a label value, got " +
                                      std::string(describe_node(e.value)));
      continue;
    }
    if (e.value.Scalar().empty()) {
      // An empty label is the same as no label (Prometheus): it could never be added.
      reader.error(value_mark(e), "\"" + e.key + "\": must not be empty");
      continue;
    }
    labels.push_back({e.key, e.value.Scalar()});
  }
  sort_labels(labels);
}

}  // namespace alertgate
