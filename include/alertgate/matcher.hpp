// Matcher: one Alertmanager-compatible label matcher (`name="v"`, `name!="v"`, `name=~"re"`,
// `name!~"re"`), parsed once at policy load and evaluated on the data path.
//
// Semantics follow Alertmanager: a label that is absent reads as the empty string, so
// `foo=""` matches an alert without `foo`, `foo!=""` requires it, and `foo=~".*"` matches
// an absent label. Regexes are RE2 syntax (no backreferences, no lookaround), fully
// anchored as `^(?:re)$`, and run on a linear-time engine (src/policy/regex_program.hpp):
// matching time is O(pattern x value) whatever the input, and never throws.
//
// A Matcher is an immutable value once built; its compiled regex is shared (shared_ptr to
// const), so copies are cheap and `matches` may be called from any thread concurrently.
// Parse errors are plain strings naming what went wrong and the 1-based character column
// in the text given: `column 9: expected one of =, !=, =~, !~`; regex errors add the
// position inside the regex: `column 10: invalid regex: unbalanced parenthesis at 7`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/result.hpp"

namespace alertgate {

namespace regex {
class Program;  // compiled regex, private to src/policy
}

enum class MatchOp : std::uint8_t { equal, not_equal, regex, not_regex };
std::string_view to_string(MatchOp op);  // "=", "!=", "=~", "!~"

struct Matcher {
  std::string name;
  MatchOp op = MatchOp::equal;
  std::string value;  // the literal (equal ops) or the regex source as written (regex ops)
  std::shared_ptr<const regex::Program> program;  // set for the regex ops only

  // True when the label `name` of `labels` (sorted) satisfies the matcher.
  bool matches(const LabelSet& labels) const;
  // The same test on a value already looked up ("" for an absent label).
  bool matches_value(std::string_view label_value) const;
};

// `name="value"` with the value quoted and escaped again, as Alertmanager prints it.
std::string to_string(const Matcher& m);

// Builds a matcher from parts (e.g. a YAML map form), compiling the regex for the regex
// ops. Errors: "invalid label name ...", "invalid regex: <what> at <pos>".
Result<Matcher, std::string> make_matcher(std::string name, MatchOp op, std::string value);

// One matcher: `name op value`, whitespace allowed around each part; the value either
// unquoted (the rest of the text, trimmed) or in double quotes with \" \\ \n escapes.
Result<Matcher, std::string> parse_matcher(std::string_view text);

// A list: `{a="b", c=~"d.*"}` or the same without braces (`a="b", c=~"d.*"`). A trailing
// comma is allowed; `{}` and "" give an empty list. Unquoted values end at `,` or `}`.
Result<std::vector<Matcher>, std::string> parse_matchers(std::string_view text);

}  // namespace alertgate
