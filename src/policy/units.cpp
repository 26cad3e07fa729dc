// Durations and byte sizes as config files write them. Declared in main_config.hpp but
// compiled in the policy stage: tenant files use the same syntax, and the config stage
// depends on policy (not the other way round).
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "alertgate/main_config.hpp"
#include "alertgate/yaml_reader.hpp"

namespace alertgate {

namespace {

constexpr std::int64_t kMaxDurationMs = std::int64_t{100} * 365 * 24 * 3600 * 1000;  // 100 y
constexpr std::string_view kDurationHint = "e.g. 250ms, 30s, 5m, 1h30m";

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Reads a run of digits at `i` into `out`; false on overflow past `cap`.
bool read_number(std::string_view text, std::size_t& i, std::uint64_t cap, std::uint64_t& out) {
  out = 0;
  while (i < text.size() && is_digit(text[i])) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (out > (cap - digit) / 10) return false;
    out = out * 10 + digit;
    ++i;
  }
  return true;
}

struct DurationUnit {
  std::string_view name;
  std::int64_t ms;
};
// Largest first: components must appear in this order ("1h30m", not "30m1h").
constexpr DurationUnit kDurationUnits[] = {
    {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}};

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const std::string shown = quote_for_message(text);
  if (text.empty()) return unexpected(Error{"empty duration (" + std::string(kDurationHint) + ")"});
  if (text == "0") return std::chrono::milliseconds(0);
  std::int64_t total = 0;
  std::size_t next_unit = 0;  // index into kDurationUnits of the smallest unit seen so far + 1
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) {
      return unexpected(
          Error{"invalid duration " + shown + " (" + std::string(kDurationHint) + ")"});
    }
    std::uint64_t number = 0;
    if (!read_number(text, i, static_cast<std::uint64_t>(kMaxDurationMs), number)) {
      return unexpected(Error{"duration " + shown + " is too large"});
    }
    const std::size_t unit_start = i;
    while (i < text.size() && is_alpha(text[i])) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) {
      return unexpected(Error{"missing unit in duration " + shown + " (use ms, s, m or h, " +
                              std::string(kDurationHint) + ")"});
    }
    std::size_t u = 0;
    while (u < std::size(kDurationUnits) && kDurationUnits[u].name != unit) ++u;
    if (u == std::size(kDurationUnits)) {
      return unexpected(Error{"unknown unit " + quote_for_message(unit) + " in duration " + shown +
                              " (use ms, s, m or h)"});
    }
    if (u < next_unit) {
      return unexpected(
          Error{"units out of order in duration " + shown + " (largest first, e.g. 1h30m)"});
    }
    next_unit = u + 1;
    const auto ms = static_cast<std::int64_t>(number);
    if (ms > (kMaxDurationMs - total) / kDurationUnits[u].ms) {
      return unexpected(Error{"duration " + shown + " is too large"});
    }
    total += ms * kDurationUnits[u].ms;
  }
  return std::chrono::milliseconds(total);
}

Result<std::size_t> parse_byte_size(std::string_view text) {
  const std::string shown = quote_for_message(text);
  constexpr std::string_view kHint = "e.g. 1048576, 512KiB, 1MiB, 10KB";
  std::size_t i = 0;
  std::uint64_t number = 0;
  const std::uint64_t cap = std::numeric_limits<std::int64_t>::max();
  if (text.empty() || !is_digit(text[0])) {
    return unexpected(Error{"invalid byte size " + shown + " (" + std::string(kHint) + ")"});
  }
  if (!read_number(text, i, cap, number)) {
    return unexpected(Error{"byte size " + shown + " is too large"});
  }
  if (i < text.size() && text[i] == ' ') ++i;  // "1 MiB" reads fine too
  const std::string_view unit = text.substr(i);
  struct Unit {
    std::string_view name;
    std::uint64_t factor;
  };
  static constexpr Unit kUnits[] = {{"", 1},
                                    {"B", 1},
                                    {"KB", 1000},
                                    {"MB", std::uint64_t{1000} * 1000},
                                    {"GB", std::uint64_t{1000} * 1000 * 1000},
                                    {"KiB", 1024},
                                    {"MiB", std::uint64_t{1024} * 1024},
                                    {"GiB", std::uint64_t{1024} * 1024 * 1024}};
  for (const Unit& u : kUnits) {
    if (u.name != unit) continue;
    if (number > cap / u.factor) return unexpected(Error{"byte size " + shown + " is too large"});
    return static_cast<std::size_t>(number * u.factor);
  }
  return unexpected(Error{"unknown unit " + quote_for_message(unit) + " in byte size " + shown +
                          " (use B, KB, MB, GB, KiB, MiB or GiB)"});
}

std::string format_duration_ms(std::int64_t ms) {
  if (ms <= 0) return ms == 0 ? "0s" : "-" + format_duration_ms(-ms);
  std::string out;
  for (const DurationUnit& u : kDurationUnits) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms);
      out += u.name;
      ms %= u.ms;
    }
  }
  return out;
}

std::string format_byte_size(std::int64_t bytes) {
  struct Unit {
    std::string_view name;
    std::int64_t factor;
  };
  static constexpr Unit kUnits[] = {
      {"GiB", std::int64_t{1} << 30}, {"MiB", std::int64_t{1} << 20}, {"KiB", 1024}};
  for (const Unit& u : kUnits) {
    if (bytes != 0 && bytes % u.factor == 0) {
      return std::to_string(bytes / u.factor) + std::string(u.name);
    }
  }
  return std::to_string(bytes);
}

}  // namespace alertgate
