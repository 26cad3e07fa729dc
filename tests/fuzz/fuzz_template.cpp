// libFuzzer target: destination templates (parsed from tenant files, rendered on the shard).
// The input is `template \0 value`: the template is parsed; when it parses, it is rendered
// with `value` as every label, annotation and alert field, plain and through an escaper.
// Besides crashes and sanitizer reports, checks that a parsed template parses again from its
// source and renders the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "alertgate/template.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace alertgate;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = in.find('\0');
  const std::string_view text = in.substr(0, cut);
  const std::string value(cut == std::string_view::npos ? "" : in.substr(cut + 1));

  auto t = Template::parse(text);
  if (!t) return 0;
  Alert alert;
  alert.labels = {{"alertname", value}, {"instance", value}, {"severity", value}};
  alert.annotations = {{"summary", value}};
  alert.generator_url = value;
  const LabelSet labels = alert.labels;
  const LabelSet annotations = alert.annotations;
  TemplateData d;
  d.status = "firing";
  d.tenant_id = value;
  d.receiver = value;
  d.external_url = value;
  d.firing = 1;
  d.common_labels = &labels;
  d.common_annotations = &annotations;
  d.first = &alert;
  const std::string plain = t->render(d);
  std::string escaped;
  t->render(d, escaped, [](std::string& out, std::string_view v) {
    for (char c : v) {
      if (c == '<') {
        out += "&lt;";
      } else {
        out += c;
      }
    }
  });
  auto again = Template::parse(t->source());
  AG_FUZZ_CHECK(again.ok());
  AG_FUZZ_CHECK(again->render(d) == plain);
  return 0;
}
