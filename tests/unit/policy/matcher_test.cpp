#include "alertgate/matcher.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "policy/regex_program.hpp"

namespace alertgate {
namespace {

Matcher must_parse(std::string_view text) {
  auto m = parse_matcher(text);
  INFO(text);
  if (!m) FAIL(m.error());
  return std::move(*m);
}

std::string parse_error(std::string_view text) {
  auto m = parse_matcher(text);
  return m ? std::string("<ok>") : m.error();
}

std::string list_error(std::string_view text) {
  auto m = parse_matchers(text);
  return m ? std::string("<ok>") : m.error();
}

std::string regex_error(std::string_view pattern) {
  auto p = regex::Program::compile(pattern);
  return p ? std::string("<ok>") : p.error();
}

const LabelSet kLabels = {{"alertname", "DiskFull"}, {"env", "prod"}, {"severity", "critical"}};

}  // namespace

TEST_CASE("matcher: equal and not_equal, with missing-label semantics") {
  CHECK(must_parse("severity=critical").matches(kLabels));
  CHECK_FALSE(must_parse("severity=warning").matches(kLabels));
  CHECK(must_parse("severity!=warning").matches(kLabels));
  CHECK_FALSE(must_parse("severity!=critical").matches(kLabels));
  // An absent label reads as "".
  CHECK(must_parse("team=\"\"").matches(kLabels));
  CHECK(must_parse("team=").matches(kLabels));
  CHECK_FALSE(must_parse("team!=\"\"").matches(kLabels));
  CHECK(must_parse("env!=\"\"").matches(kLabels));
  CHECK_FALSE(must_parse("env=\"\"").matches(kLabels));
  CHECK(must_parse("team!=ops").matches(kLabels));
  CHECK(must_parse("x=\"\"").matches(LabelSet{}));
}

TEST_CASE("matcher: regex and not_regex, with missing-label semantics") {
  CHECK(must_parse("severity=~\"crit|critical|page\"").matches(kLabels));
  CHECK_FALSE(must_parse("severity=~crit").matches(kLabels));  // anchored
  CHECK(must_parse("severity!~crit").matches(kLabels));
  CHECK_FALSE(must_parse("severity!~\"c.*\"").matches(kLabels));
  CHECK(must_parse("team=~\".*\"").matches(kLabels));
  CHECK_FALSE(must_parse("team=~\".+\"").matches(kLabels));
  CHECK(must_parse("team!~\".+\"").matches(kLabels));
  CHECK(must_parse("alertname=~\"Disk[A-Z][a-z]+\"").matches(kLabels));
}

TEST_CASE("matcher: syntax, whitespace, quoting and escapes") {
  const Matcher m = must_parse("  severity = \"critical\"  ");
  CHECK(m.name == "severity");
  CHECK(m.op == MatchOp::equal);
  CHECK(m.value == "critical");
  CHECK(must_parse("a!=b").op == MatchOp::not_equal);
  CHECK(must_parse("a=~b").op == MatchOp::regex);
  CHECK(must_parse("a!~b").op == MatchOp::not_regex);
  CHECK(must_parse("_x9=v").name == "_x9");
  CHECK(must_parse(R"(a="say \"hi\"")").value == "say \"hi\"");
  CHECK(must_parse(R"(a="back\\slash")").value == "back\\slash");
  CHECK(must_parse(R"(a="two\nlines")").value == "two\nlines");
  CHECK(must_parse("a=unquoted value ").value == "unquoted value");
  CHECK(must_parse("a==b").value == "=b");
  CHECK(must_parse("a=\"x,y}\"").value == "x,y}");
  CHECK(to_string(must_parse(R"(a="q\"\\\n")")) == R"(a="q\"\\\n")");
  CHECK(to_string(must_parse("job=~node.*")) == "job=~\"node.*\"");
  // A regex value keeps its backslashes once unquoted: \\. in quotes is \. in the regex.
  CHECK(must_parse(R"(host=~"db\\.prod")").matches_value("db.prod"));
  CHECK_FALSE(must_parse(R"(host=~"db\\.prod")").matches_value("dbxprod"));
}

TEST_CASE("matcher: parse errors name the column") {
  CHECK(parse_error("") == "column 1: expected a label name");
  CHECK(parse_error("   ") == "column 4: expected a label name");
  CHECK(parse_error("9abc=x") == "column 1: expected a label name");
  CHECK(parse_error("=x") == "column 1: expected a label name");
  CHECK(parse_error("severity>critical") == "column 9: expected one of =, !=, =~, !~");
  CHECK(parse_error("severity") == "column 9: expected one of =, !=, =~, !~");
  CHECK(parse_error("sev-erity=x") == "column 4: expected one of =, !=, =~, !~");
  CHECK(parse_error("a ! = b") == "column 3: expected one of =, !=, =~, !~");
  CHECK(parse_error("a=\"open") == "column 3: unterminated quoted value");
  CHECK(parse_error("a=\"ends with\\") == "column 3: unterminated quoted value");
  CHECK(parse_error(R"(a="bad\t")") == "column 7: invalid escape \\t in quoted value");
  CHECK(parse_error("a=\"x\" y") == "column 7: unexpected text after the quoted value");
  CHECK(parse_error("a=x\"y") ==
        "column 3: unquoted value contains a quote; quote the whole value");
  CHECK(parse_error("é=x") == "column 1: expected a label name");
  CHECK(parse_error("a=\"é\" z") == "column 7: unexpected text after the quoted value");
  CHECK(parse_error("a=~\"(ab\"") == "column 4: invalid regex: unbalanced parenthesis at 1");
  CHECK(parse_error("job =~ x(y") == "column 8: invalid regex: unbalanced parenthesis at 2");
  CHECK(parse_error("a!~*") ==
        "column 4: invalid regex: missing argument to repetition operator at 1");
}

TEST_CASE("matcher: make_matcher checks name and regex") {
  CHECK(make_matcher("ok_1", MatchOp::equal, "v").ok());
  CHECK(make_matcher("1x", MatchOp::equal, "v").error() ==
        "invalid label name \"1x\" (want [a-zA-Z_][a-zA-Z0-9_]*)");
  CHECK(make_matcher("a", MatchOp::regex, "a)").error() ==
        "invalid regex: unbalanced parenthesis at 2");
  CHECK(make_matcher("a", MatchOp::equal, "a)").ok());  // not a regex
}

TEST_CASE("matcher: lists, with and without braces") {
  auto l = parse_matchers(R"({alertname="DiskFull", severity=~"crit.*" , env!=dev,})");
  REQUIRE(l.ok());
  REQUIRE(l->size() == 3);
  CHECK((*l)[1].op == MatchOp::regex);
  CHECK((*l)[2].value == "dev");
  for (const Matcher& m : *l) CHECK(m.matches(kLabels));
  CHECK(parse_matchers("a=b,c=~d").value().size() == 2);
  CHECK(parse_matchers("{}").value().empty());
  CHECK(parse_matchers("  ").value().empty());
  CHECK(parse_matchers(R"({a="x,}y"})").value().at(0).value == "x,}y");
  CHECK(list_error("{a=b") == "column 5: expected , or }");
  CHECK(list_error("{a=b} x") == "column 7: unexpected text after }");
  CHECK(list_error("a=b}") == "column 4: expected ,");
  CHECK(list_error("{a=b,,c=d}") == "column 6: expected a label name");
  CHECK(list_error("{a=b, c>d}") == "column 8: expected one of =, !=, =~, !~");
  CHECK(list_error("{a=b, c=~\"[x\"}") == "column 10: invalid regex: missing closing ] at 1");
}

TEST_CASE("matcher: regex features (table, VM and fast paths agree)") {
  struct Row {
    const char* pattern;
    const char* input;
    bool expected;
  };
  const std::vector<Row> rows = {
      {"b", "abc", false},
      {"b", "b", true},
      {"abc", "abc", true},
      {"abc", "abcd", false},
      {"", "", true},
      {"", "a", false},
      {"a.c", "abc", true},
      {"a.c", "ac", false},
      {".", "\n", false},
      {".*", "a\nb", false},
      {"[a-z0-9_]+", "db_01", true},
      {"[a-z0-9_]+", "DB", false},
      {"[^a-c]", "d", true},
      {"[^a-c]", "b", false},
      {"[]a]", "]", true},
      {"[a-]", "-", true},
      {"\\d+", "2026", true},
      {"\\d", "x", false},
      {"\\w+", "a_Z9", true},
      {"\\w", "-", false},
      {"\\s", " ", true},
      {"\\S", " ", false},
      {"\\D\\W", "a-", true},
      {"\\.", ".", true},
      {"\\.", "x", false},
      {"a\\*b", "a*b", true},
      {"[\\d.]+", "1.2.3", true},
      {"[^\\d]", "5", false},
      {"crit|critical|page", "critical", true},
      {"crit|critical|page", "crit", true},
      {"crit|critical|page", "pag", false},
      {"a|", "", true},
      {"(a|b)c", "bc", true},
      {"(?:a|b)+c", "ababc", true},
      {"(ab)*", "abab", true},
      {"(ab)*", "aba", false},
      {"a+", "", false},
      {"a?b", "b", true},
      {"a{3}", "aaa", true},
      {"a{3}", "aa", false},
      {"a{2,}", "aaaaa", true},
      {"a{2,}", "a", false},
      {"a{1,3}", "aaa", true},
      {"a{1,3}", "aaaa", false},
      {"a{0}", "", true},
      {"x{", "x{", true},
      {"x{a}", "x{a}", true},
      {"a*?b", "aab", true},
      {"^ab$", "ab", true},
      {"a^b", "ab", false},
      {"db-[0-9]+", "db-42", true},
      {"db-[0-9]+", "db-", false},
      {"prod.*", "prod-eu", true},
      {"prod.*", "pro", false},
      {".*-prod", "api-prod", true},
      {".*-prod", "api-prod-2", false},
      {"(?:pro)d.*", "prod\n", false},
      {"é", "é", true},
      {".", "é", true},
      {"..", "é", false},
      {"[^a]", "é", true},
      {"[à-ÿ]", "é", true},
      {"\\W", "é", true},
      {".", "\xff", true},
      {"\xc3\xa9", "\xc3", false},
      {".*", "\xe2\x82", true},
      {"[^x]{2}", "\xe2\x82", true},
      {"(a*)*b", "aaab", true},
      {"(a|ab)(c|bcd)(d*)", "abcd", true},
  };
  REQUIRE(rows.size() >= 40);
  for (const Row& r : rows) {
    INFO("pattern /" << r.pattern << "/ input \"" << r.input << "\"");
    auto fast = regex::Program::compile(r.pattern);
    auto vm = regex::Program::compile(r.pattern, false);
    REQUIRE(fast.ok());
    REQUIRE(vm.ok());
    CHECK(vm->kind() == regex::Program::Kind::vm);
    CHECK(fast->matches(r.input) == r.expected);
    CHECK(vm->matches(r.input) == r.expected);
  }
}

TEST_CASE("matcher: fast paths are chosen for literal shapes") {
  using K = regex::Program::Kind;
  CHECK(regex::Program::compile("critical").value().kind() == K::literals);
  CHECK(regex::Program::compile("crit|critical|page").value().kind() == K::literals);
  CHECK(regex::Program::compile("(?:a|b)").value().kind() == K::literals);
  CHECK(regex::Program::compile("prod-.*").value().kind() == K::prefix);
  CHECK(regex::Program::compile(".*").value().kind() == K::prefix);
  CHECK(regex::Program::compile(".*-prod").value().kind() == K::suffix);
  CHECK(regex::Program::compile("db-[0-9]+").value().kind() == K::vm);
  CHECK(regex::Program::compile("a.*b").value().kind() == K::vm);
}

TEST_CASE("matcher: regex parse errors give the position") {
  CHECK(regex_error("abc(def") == "unbalanced parenthesis at 4");
  CHECK(regex_error("abc(de)f)") == "unbalanced parenthesis at 9");
  CHECK(regex_error("ab)") == "unbalanced parenthesis at 3");
  CHECK(regex_error("a[bc") == "missing closing ] at 2");
  CHECK(regex_error("[z-a]") == "invalid character class range at 2");
  CHECK(regex_error("[[:alpha:]]") == "unsupported POSIX class at 2");
  CHECK(regex_error("*a") == "missing argument to repetition operator at 1");
  CHECK(regex_error("a|+") == "missing argument to repetition operator at 3");
  CHECK(regex_error("{2}") == "missing argument to repetition operator at 1");
  CHECK(regex_error("a**") == "invalid nested repetition operator at 3");
  CHECK(regex_error("a{2,1}") == "invalid repeat count at 2");
  CHECK(regex_error("a{1001}") == "invalid repeat count at 2");
  CHECK(regex_error("(a)\\1") == "invalid escape sequence \\1 at 4");
  CHECK(regex_error("\\b") == "invalid escape sequence \\b at 1");
  CHECK(regex_error("a\\") == "trailing backslash at 2");
  CHECK(regex_error("(?=a)") == "unsupported group syntax (only (?:...)) at 1");
  CHECK(regex_error("(?i)a") == "unsupported group syntax (only (?:...)) at 1");
  CHECK(regex_error("a\xff") == "invalid UTF-8 at 2");
  CHECK(regex_error(std::string(1025, 'a')) == "regex longer than 1024 bytes");
  CHECK(regex_error(std::string(101, '(') + std::string(101, ')')) == "nesting too deep at 101");
  CHECK(regex_error("(a{1000}){1000}").starts_with("regex too large"));
  CHECK(regex_error(std::string(1024, 'a')) == "<ok>");
  CHECK(regex_error(std::string(100, '(') + std::string(100, ')')) == "<ok>");
}

TEST_CASE("matcher: pathological patterns run in linear time") {
  const std::string as(10000, 'a');
  const Matcher m = must_parse("x=~\"(a*)*b\"");
  CHECK_FALSE(m.matches_value(as));
  CHECK(m.matches_value(as + "b"));
  CHECK_FALSE(must_parse("x=~\"(a|aa)+c\"").matches_value(as));
  CHECK_FALSE(must_parse("x=~\"(a?){500}a{500}\"").matches_value(std::string(499, 'a')));
  CHECK(must_parse("x=~\"(a?){500}a{500}\"").matches_value(std::string(500, 'a')));
  CHECK(must_parse("x=~\"(.*)*\"").matches_value(as));
}

TEST_CASE("matcher: UTF-8 dot consumes one code point") {
  CHECK(must_parse("x=~.").matches_value("é"));
  CHECK_FALSE(must_parse("x=~..").matches_value("é"));
  CHECK(must_parse("x=~\"caf.\"").matches_value("café"));
  CHECK(must_parse("x=~.{3}").matches_value("日本語"));
  CHECK(must_parse("x=~\"€.\"").matches_value("€😀"));
}

}  // namespace alertgate
