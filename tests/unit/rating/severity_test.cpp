#include <catch2/catch.hpp>

#include "alertgate/rating.hpp"

using namespace alertgate;

TEST_CASE("severity: documented spellings normalise", "[rating]") {
  struct Case {
    const char* text;
    Severity want;
  };
  const Case cases[] = {
      {"critical", Severity::critical}, {"crit", Severity::critical},
      {"CRITICAL", Severity::critical}, {"P1", Severity::critical},
      {"sev1", Severity::critical},     {"Sev-1", Severity::critical},
      {"SEV 0", Severity::critical},    {"page", Severity::critical},
      {"fatal", Severity::critical},    {"  Emergency ", Severity::critical},
      {"error", Severity::error},       {"ERR", Severity::error},
      {"major", Severity::error},       {"p2", Severity::error},
      {"warning", Severity::warning},   {"warn", Severity::warning},
      {"Minor", Severity::warning},     {"P3", Severity::warning},
      {"info", Severity::info},         {"informational", Severity::info},
      {"notice", Severity::info},       {"low", Severity::info},
      {"P5", Severity::info},           {"sev_4", Severity::info},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    REQUIRE(parse_severity(c.text) == c.want);
  }
}

TEST_CASE("severity: unknown text is not guessed", "[rating]") {
  CHECK_FALSE(parse_severity(""));
  CHECK_FALSE(parse_severity("disastrous"));
  CHECK_FALSE(parse_severity("p9"));
  CHECK_FALSE(parse_severity("a very long severity text that matches nothing"));
  CHECK_FALSE(parse_severity("crit\xc3\xa9"));
}
