// `rating:` of a tenant file: severity scores, boosts, recurrence, flapping (docs/rating.md).
#include <array>
#include <chrono>
#include <string>

#include "alertgate/rating_engine.hpp"
#include "policy_parsers.hpp"

namespace alertgate {

namespace {

constexpr std::size_t kMaxBoosts = 100;
constexpr std::int64_t kSecondMs = 1000;
constexpr std::int64_t kDayMs = 24 * 3600 * kSecondMs;
constexpr IntBounds kWindowMs{kSecondMs, 7 * kDayMs};
constexpr IntBounds kResendGapMs{kSecondMs, kDayMs};
constexpr IntBounds kScore{0, 100};
constexpr IntBounds kSignedScore{-100, 100};
// The history keeps kHistoryEventsPerFingerprint events: "more than 31 changes" is the
// most it can ever see.
constexpr IntBounds kFlapThreshold{1, static_cast<std::int64_t>(kHistoryEventsPerFingerprint) - 1};

std::optional<YamlMap> sub_map(YamlReader& reader, const YamlMap& parent, std::string_view key) {
  const YamlMap::Entry* e = parent.find(key);
  if (e == nullptr) return std::nullopt;
  return reader.map(e->value, "\"" + std::string(key) + "\"", e->key_mark);
}

std::chrono::nanoseconds ms(std::int64_t v) { return std::chrono::milliseconds(v); }

void load_scores(YamlReader& reader, const YamlMap& rating, RatingPolicy& out) {
  auto map = sub_map(reader, rating, "severity_scores");
  if (!map) return;
  static constexpr std::array<std::string_view, 4> kNames = {"critical", "error", "warning",
                                                             "info"};
  reader.check_keys(*map, {"critical", "error", "warning", "info"});
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (auto v = reader.get_int(*map, kNames[i], false, kScore)) {
      out.severity_score[i] = static_cast<std::uint8_t>(*v);
    }
  }
}

void load_boosts(YamlReader& reader, const YamlMap& rating, RatingPolicy& out) {
  auto list = reader.get_list(rating, "boosts", false);
  if (!list) return;
  const YAML::Mark list_mark = rating.find("boosts")->value.Mark();
  if (list->size() > kMaxBoosts) {
    reader.error(list_mark, "\"boosts\": more than " + std::to_string(kMaxBoosts) + " boosts");
    return;
  }
  for (const YAML::Node& node : *list) {
    auto map = reader.map(node, "boost", list_mark);
    if (!map) continue;
    reader.check_keys(*map, {"match", "add"});
    RatingPolicy::Boost boost;
    bool ok = true;
    if (const YamlMap::Entry* m = map->find("match")) {
      auto matchers = parse_matcher_list(reader, *m);
      ok = matchers.has_value();
      if (matchers) boost.match = std::move(*matchers);
    } else {
      reader.error(map->mark(), "missing required key \"match\" (use [] for every alert)");
      ok = false;
    }
    auto add = reader.get_int(*map, "add", true, kSignedScore);
    if (ok && add) {
      boost.add = static_cast<int>(*add);
      out.boosts.push_back(std::move(boost));
    }
  }
}

void load_recurrence(YamlReader& reader, const YamlMap& rating, RatingPolicy& out) {
  auto map = sub_map(reader, rating, "recurrence");
  if (!map) return;
  reader.check_keys(*map, {"window", "per_repeat", "max", "resend_gap"});
  auto& r = out.recurrence;
  if (auto v = reader.get_duration_ms(*map, "window", false, kWindowMs)) r.window = ms(*v);
  if (auto v = reader.get_int(*map, "per_repeat", false, kScore))
    r.per_repeat = static_cast<int>(*v);
  if (auto v = reader.get_int(*map, "max", false, kScore)) r.max = static_cast<int>(*v);
  if (auto v = reader.get_duration_ms(*map, "resend_gap", false, kResendGapMs)) {
    r.resend_gap = ms(*v);
  }
}

void load_flapping(YamlReader& reader, const YamlMap& rating, RatingPolicy& out) {
  auto map = sub_map(reader, rating, "flapping");
  if (!map) return;
  reader.check_keys(*map, {"window", "threshold", "boost"});
  auto& f = out.flapping;
  if (auto v = reader.get_duration_ms(*map, "window", false, kWindowMs)) f.window = ms(*v);
  if (auto v = reader.get_int(*map, "threshold", false, kFlapThreshold))
    f.threshold = static_cast<int>(*v);
  if (auto v = reader.get_int(*map, "boost", false, kSignedScore)) f.boost = static_cast<int>(*v);
}

}  // namespace

void load_rating(YamlReader& reader, const YamlMap& root, RatingPolicy& rating) {
  auto map = sub_map(reader, root, "rating");
  if (!map) return;
  reader.check_keys(*map, {"severity_scores", "boosts", "recurrence", "flapping"});
  load_scores(reader, *map, rating);
  load_boosts(reader, *map, rating);
  load_recurrence(reader, *map, rating);
  load_flapping(reader, *map, rating);
}

}  // namespace alertgate
