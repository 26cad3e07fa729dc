#include <array>
#include <string>
#include <utility>

#include "alertgate/rating.hpp"

namespace alertgate {

namespace {

struct Spelling {
  std::string_view text;
  Severity severity;
};

// Normalised spellings (lowercase, without blanks, '-' and '_'). Sources: syslog levels,
// PagerDuty/Opsgenie priorities (P1..P5), incident severities (SEV0..SEV5), Zabbix
// (disaster/high/average), common shorthands. Documented in docs/rating.md.
constexpr std::array kSpellings{
    Spelling{"critical", Severity::critical}, Spelling{"crit", Severity::critical},
    Spelling{"fatal", Severity::critical},    Spelling{"emergency", Severity::critical},
    Spelling{"emerg", Severity::critical},    Spelling{"alert", Severity::critical},
    Spelling{"page", Severity::critical},     Spelling{"disaster", Severity::critical},
    Spelling{"p0", Severity::critical},       Spelling{"p1", Severity::critical},
    Spelling{"sev0", Severity::critical},     Spelling{"sev1", Severity::critical},
    Spelling{"s0", Severity::critical},       Spelling{"s1", Severity::critical},
    Spelling{"error", Severity::error},       Spelling{"err", Severity::error},
    Spelling{"major", Severity::error},       Spelling{"high", Severity::error},
    Spelling{"p2", Severity::error},          Spelling{"sev2", Severity::error},
    Spelling{"s2", Severity::error},          Spelling{"warning", Severity::warning},
    Spelling{"warn", Severity::warning},      Spelling{"minor", Severity::warning},
    Spelling{"medium", Severity::warning},    Spelling{"moderate", Severity::warning},
    Spelling{"average", Severity::warning},   Spelling{"p3", Severity::warning},
    Spelling{"sev3", Severity::warning},      Spelling{"s3", Severity::warning},
    Spelling{"info", Severity::info},         Spelling{"informational", Severity::info},
    Spelling{"information", Severity::info},  Spelling{"notice", Severity::info},
    Spelling{"low", Severity::info},          Spelling{"debug", Severity::info},
    Spelling{"none", Severity::info},         Spelling{"ok", Severity::info},
    Spelling{"p4", Severity::info},           Spelling{"p5", Severity::info},
    Spelling{"sev4", Severity::info},         Spelling{"sev5", Severity::info},
    Spelling{"s4", Severity::info},           Spelling{"s5", Severity::info},
};

constexpr std::size_t kLongestSpelling = 16;

}  // namespace

std::optional<Severity> parse_severity(std::string_view text) {
  char buf[kLongestSpelling];
  std::size_t n = 0;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '-' || c == '_') continue;
    if (n == sizeof buf) return std::nullopt;  // longer than any spelling
    buf[n++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view key(buf, n);
  for (const auto& s : kSpellings) {
    if (s.text == key) return s.severity;
  }
  return std::nullopt;
}

}  // namespace alertgate
