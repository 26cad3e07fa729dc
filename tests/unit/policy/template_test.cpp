#include <catch2/catch.hpp>

#include "alertgate/destination_format.hpp"
#include "alertgate/template.hpp"

using namespace alertgate;

namespace {

Template parse_ok(std::string_view text) {
  auto t = Template::parse(text);
  if (!t) FAIL(t.error());
  return std::move(*t);
}

std::string parse_error(std::string_view text) {
  auto t = Template::parse(text);
  REQUIRE_FALSE(t.ok());
  return t.error();
}

Alert make(LabelSet labels, LabelSet annotations, std::uint8_t rating, AlertStatus status) {
  Alert a;
  sort_labels(labels);
  sort_labels(annotations);
  a.labels = std::move(labels);
  a.annotations = std::move(annotations);
  a.rating = rating;
  a.status = status;
  a.severity = rating >= 80 ? Severity::critical : Severity::warning;
  a.fingerprint = 0xc1f2e3d4a5b6c7d8ULL + rating;
  a.generator_url = "http://prom/" + std::to_string(rating);
  return a;
}

Notification sample() {
  Notification n;
  n.alerts.push_back(make({{"alertname", "HighCPU"}, {"instance", "db1"}, {"team", "db"}},
                          {{"summary", "CPU high"}}, 40, AlertStatus::firing));
  n.alerts.push_back(make({{"alertname", "HighCPU"}, {"instance", "db2"}, {"team", "db"}},
                          {{"summary", "CPU high"}, {"runbook", "r"}}, 85, AlertStatus::firing));
  n.alerts.push_back(make({{"alertname", "HighCPU"}, {"instance", "db3"}, {"team", "db"}},
                          {{"summary", "CPU ok"}}, 99, AlertStatus::resolved));
  n.firing = 2;
  n.group_labels = {{"alertname", "HighCPU"}};
  return n;
}

}  // namespace

TEST_CASE("template: renders every field", "[policy][template]") {
  const Notification n = sample();
  LabelSet common_labels, common_annotations;
  const TemplateData data =
      template_data(n, "t42", "db-pager", "http://gw", common_labels, common_annotations);
  CHECK(data.status == "firing");
  CHECK(data.firing == 2);
  CHECK(data.resolved == 1);
  CHECK(common_labels == LabelSet{{"alertname", "HighCPU"}, {"team", "db"}});
  CHECK(common_annotations.empty());    // summary differs on the resolved alert
  REQUIRE(data.first == &n.alerts[1]);  // highest-rated *firing* alert, not the resolved 99

  const Template t = parse_ok(
      "{{.status}}|{{ .tenant_id }}|{{ .receiver }}|{{ .external_url }}|{{ .alerts.firing }}/"
      "{{ .alerts.resolved }}/{{ .alerts.count }}|{{ .labels.team }}|{{ .labels.instance }}|"
      "{{ .annotations.summary }}|{{ .severity }}|{{ .rating }}|{{ .alert.labels.instance }}|"
      "{{ .alert.annotations.runbook }}|{{ .alert.fingerprint }}|{{ .alert.generator_url }}|"
      "{{\t.labels.absent\t}}.");
  CHECK(t.render(data) ==
        "firing|t42|db-pager|http://gw|2/1/3|db|||critical|85|db2|r|c1f2e3d4a5b6c82d|"
        "http://prom/85|.");
}

TEST_CASE("template: first alert falls back to the first resolved one", "[policy][template]") {
  Notification n = sample();
  n.firing = 0;
  for (auto& a : n.alerts) a.status = AlertStatus::resolved;
  LabelSet l, an;
  const TemplateData data = template_data(n, "t", "r", "", l, an);
  CHECK(data.status == "resolved");
  CHECK(data.first == &n.alerts[0]);
  CHECK(parse_ok("{{ .rating }} {{ .alert.labels.instance }}").render(data) == "40 db1");
}

TEST_CASE("template: literal text, {{{{ escape and lone braces", "[policy][template]") {
  const TemplateData empty;
  CHECK(parse_ok("").render(empty).empty());
  CHECK(parse_ok("plain } { }} text").render(empty) == "plain } { }} text");
  CHECK(parse_ok("a {{{{ .status }} b").render(empty) == "a {{ .status }} b");
  CHECK(parse_ok("{{{{{{.status}}").render(empty) == "{{");
  // Absent data renders as "", never fails.
  CHECK(parse_ok("[{{ .severity }}{{ .labels.x }}{{ .alert.fingerprint }}]").render(empty) == "[]");
  CHECK(parse_ok("x{{ .status }}y").source() == "x{{ .status }}y");
}

TEST_CASE("template: errors name the column and suggest a field", "[policy][template]") {
  CHECK(parse_error("Hi {{ .lables.x }}") ==
        R"(column 7: unknown field ".lables.x" (did you mean ".labels.NAME"?))");
  CHECK(parse_error("{{ .stauts }}") ==
        R"(column 4: unknown field ".stauts" (did you mean ".status"?))");
  CHECK(parse_error("{{ .alert.fingerprnt }}") ==
        R"(column 4: unknown field ".alert.fingerprnt" (did you mean ".alert.fingerprint"?))");
  CHECK(parse_error("{{ .nothing_like_it }}") == R"(column 4: unknown field ".nothing_like_it")");
  CHECK(parse_error("ab {{ .status") == "column 4: unclosed {{");
  CHECK(parse_error("é {{ }}") == "column 3: empty {{ }}");
  CHECK(
      parse_error("{{ .labels.1x }}") ==
      R"(column 4: invalid name "1x" in ".labels.1x" (letters, digits and _, not starting with a digit))");
  CHECK(
      parse_error("{{ .labels. }}") ==
      R"(column 4: invalid name "" in ".labels." (letters, digits and _, not starting with a digit))");
  CHECK(parse_error("line one\nsecond {{ .rating }} {{ .x.y }}") ==
        R"(line 2, column 25: unknown field ".x.y")");
}

TEST_CASE("template: values can be escaped for the destination's markup", "[policy][template]") {
  Notification n = sample();
  n.alerts[1].labels[1].value = "<db2 & co>";
  LabelSet l, an;
  const TemplateData data = template_data(n, "t", "r", "", l, an);
  const Template t = parse_ok("<b>{{ .alert.labels.instance }}</b>");
  std::string out;
  t.render(data, out, [](std::string& o, std::string_view v) {
    for (char c : v)
      o.append(c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c));
  });
  CHECK(out == "<b>&lt;db2 &amp; co&gt;</b>");
}
