// A rule's `mute_when`: Alertmanager's time interval subset (weekdays, times, location).
#include <array>
#include <string>

#include "policy_parsers.hpp"

namespace alertgate {

namespace {

constexpr std::size_t kMaxIntervals = 100;
constexpr std::size_t kMaxRanges = 100;  // per interval, for weekdays and times alike

// 0 = Sunday, as TimeInterval::weekdays counts.
constexpr std::array<std::string_view, 7> kWeekdays = {"sunday",   "monday", "tuesday", "wednesday",
                                                       "thursday", "friday", "saturday"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<int> weekday_index(std::string_view name) {
  const std::string l = lower(name);
  for (std::size_t i = 0; i < kWeekdays.size(); ++i) {
    if (kWeekdays[i] == l) return static_cast<int>(i);
  }
  return std::nullopt;
}

// "monday" or "monday:friday"; a range may wrap over the week end ("friday:monday").
std::optional<std::uint8_t> parse_weekdays(YamlReader& reader, const YamlString& s) {
  const auto colon = s.text.find(':');
  const std::string_view text = s.text;
  const std::string_view first = text.substr(0, colon);
  const std::string_view last = colon == std::string::npos ? first : text.substr(colon + 1);
  const auto a = weekday_index(first);
  const auto b = weekday_index(last);
  if (!a || !b) {
    const std::string_view bad = a ? last : first;
    const std::vector<std::string_view> names(kWeekdays.begin(), kWeekdays.end());
    reader.error(s.mark, "unknown weekday " + quote_for_message(bad) +
                             " (use monday..sunday or a range like \"monday:friday\")" +
                             did_you_mean(lower(bad), names));
    return std::nullopt;
  }
  std::uint8_t bits = 0;
  for (int d = *a;; d = (d + 1) % 7) {
    bits = static_cast<std::uint8_t>(bits | (1u << d));
    if (d == *b) break;
  }
  return bits;
}

// "HH:MM", 00:00..23:59, or 24:00 when `end`.
std::optional<int> parse_clock(std::string_view t, bool end) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (t.size() != 5 || t[2] != ':' || !digit(t[0]) || !digit(t[1]) || !digit(t[3]) ||
      !digit(t[4])) {
    return std::nullopt;
  }
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (end && h == 24 && m == 0) return 24 * 60;
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::optional<TimeInterval::Range> parse_range(YamlReader& reader, const YAML::Node& node,
                                               const YAML::Mark& where) {
  auto map = reader.map(node, "time range", where);
  if (!map) return std::nullopt;
  reader.check_keys(*map, {"start_time", "end_time"});
  std::optional<int> minutes[2];
  bool ok = true;
  for (int i = 0; i < 2; ++i) {
    const std::string_view key = i == 0 ? "start_time" : "end_time";
    auto s = reader.get_string(*map, key, true);
    if (!s) {
      ok = false;
      continue;
    }
    minutes[i] = parse_clock(s->text, i == 1);
    if (!minutes[i]) {
      reader.error(s->mark, "\"" + std::string(key) + "\": expected \"HH:MM\" (00:00.." +
                                (i == 0 ? "23:59" : "24:00") + "), got " +
                                quote_for_message(s->text));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  if (*minutes[0] >= *minutes[1]) {
    reader.error(map->find("end_time")->value.Mark(),
                 "\"end_time\" must be after \"start_time\" (a range cannot cross midnight: "
                 "split it in two)");
    return std::nullopt;
  }
  return TimeInterval::Range{*minutes[0], *minutes[1]};
}

std::optional<TimeInterval> parse_interval(YamlReader& reader, const YAML::Node& node,
                                           const YAML::Mark& where) {
  auto map = reader.map(node, "mute_when entry", where);
  if (!map) return std::nullopt;
  const std::size_t errors_before = reader.errors().size();
  reader.check_keys(*map, {"weekdays", "times", "location"});
  TimeInterval interval;
  if (const YamlMap::Entry* e = map->find("weekdays")) {
    if (auto days = reader.get_list(*map, "weekdays", false)) {
      if (days->empty() || days->size() > kMaxRanges) {
        reader.error(e->value.Mark(), "\"weekdays\": expected 1.." + std::to_string(kMaxRanges) +
                                          " entries (omit the key for every day)");
      }
      interval.weekdays = 0;
      for (const YAML::Node& d : *days) {
        auto s = reader.as_string(d, e->value.Mark());
        if (!s) continue;
        if (auto bits = parse_weekdays(reader, *s)) {
          interval.weekdays = static_cast<std::uint8_t>(interval.weekdays | *bits);
        }
      }
    }
  }
  if (const YamlMap::Entry* e = map->find("times")) {
    if (auto times = reader.get_list(*map, "times", false)) {
      if (times->empty() || times->size() > kMaxRanges) {
        reader.error(e->value.Mark(), "\"times\": expected 1.." + std::to_string(kMaxRanges) +
                                          " ranges (omit the key for the whole day)");
      }
      for (const YAML::Node& t : *times) {
        if (auto r = parse_range(reader, t, e->value.Mark())) interval.times.push_back(*r);
      }
    }
  }
  if (auto loc = reader.get_string(*map, "location", false)) {
    interval.location = loc->text;
    interval.zone = find_time_zone(loc->text);
    if (interval.zone == nullptr) {
      reader.error(loc->mark, "unknown time zone " + quote_for_message(loc->text) +
                                  " (an IANA name like \"Europe/Berlin\" or \"UTC\")");
    }
  } else {
    interval.zone = find_time_zone(interval.location);
  }
  if (reader.errors().size() != errors_before) return std::nullopt;
  return interval;
}

}  // namespace

std::optional<std::vector<TimeInterval>> parse_mute_when(YamlReader& reader,
                                                         const YamlMap::Entry& entry) {
  if (!entry.value.IsSequence()) {
    reader.error(value_mark(entry),
                 "\"mute_when\": expected a list, got " + std::string(describe_node(entry.value)));
    return std::nullopt;
  }
  if (entry.value.size() > kMaxIntervals) {
    reader.error(entry.value.Mark(),
                 "\"mute_when\": more than " + std::to_string(kMaxIntervals) + " entries");
    return std::nullopt;
  }
  const std::size_t errors_before = reader.errors().size();
  std::vector<TimeInterval> out;
  for (const YAML::Node& node : entry.value) {
    if (auto i = parse_interval(reader, node, entry.value.Mark())) out.push_back(std::move(*i));
  }
  if (reader.errors().size() != errors_before) return std::nullopt;
  return out;
}

}  // namespace alertgate
