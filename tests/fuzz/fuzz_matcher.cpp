// libFuzzer target: matcher parsing and regex matching on arbitrary bytes. The input is
// `pattern \0 subject`. Besides crashes and sanitizer reports, checks that the literal fast
// paths agree with the VM, and that a parsed matcher prints back to the same matcher.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../../src/policy/regex_program.hpp"
#include "alertgate/matcher.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace alertgate;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = in.find('\0');
  const std::string_view pattern = in.substr(0, cut);
  const std::string_view subject = cut == std::string_view::npos ? "" : in.substr(cut + 1);

  auto fast = regex::Program::compile(pattern);
  auto vm = regex::Program::compile(pattern, false);
  AG_FUZZ_CHECK(fast.ok() == vm.ok());
  if (fast) {
    AG_FUZZ_CHECK(fast->matches(subject) == vm->matches(subject));
    AG_FUZZ_CHECK(fast->matches(pattern) == vm->matches(pattern));
  } else {
    AG_FUZZ_CHECK(fast.error() == vm.error());
  }

  for (std::string_view text : {pattern, in}) {
    if (auto m = parse_matcher(text)) {
      (void)m->matches_value(subject);
      (void)m->matches(LabelSet{{std::string(m->name), std::string(subject)}});
      auto again = parse_matcher(to_string(*m));
      AG_FUZZ_CHECK(again.ok());
      AG_FUZZ_CHECK(again->name == m->name && again->op == m->op && again->value == m->value);
    }
    if (auto l = parse_matchers(text)) {
      for (const Matcher& m : *l) (void)m.matches_value(subject);
    }
  }
  return 0;
}
