// Template parsing and rendering (include/alertgate/template.hpp). Parsed once at policy
// load; rendering walks the pre-split parts, so the shard never re-parses text.
#include "alertgate/template.hpp"

#include <fmt/format.h>

#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "alertgate/yaml_reader.hpp"

namespace alertgate {

enum class Template::Field : std::uint8_t {
  status,
  tenant_id,
  receiver,
  external_url,
  alerts_firing,
  alerts_resolved,
  alerts_count,
  severity,
  rating,
  alert_fingerprint,
  alert_generator_url,
  // The fields below carry a NAME (in Part::text).
  labels,
  annotations,
  alert_labels,
  alert_annotations,
};

namespace {

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

bool valid_name(std::string_view s) {
  if (s.empty() || !is_name_start(s[0])) return false;
  for (char c : s) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

// "column 7" for one-line templates, "line 2, column 7" for multi-line ones (email bodies);
// columns count UTF-8 characters, 1-based, as an editor shows them.
std::string position(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  std::size_t column = 1;
  for (std::size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  if (text.find('\n') != std::string_view::npos) {
    return fmt::format("line {}, column {}", line, column);
  }
  return fmt::format("column {}", column);
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";

}  // namespace

Result<Template, std::string> Template::parse(std::string_view text) {
  // Spelled as users write them; NAME fields end in "." and take a label name.
  static constexpr std::array<std::pair<std::string_view, Field>, 15> kFields{{
      {".status", Field::status},
      {".tenant_id", Field::tenant_id},
      {".receiver", Field::receiver},
      {".external_url", Field::external_url},
      {".alerts.firing", Field::alerts_firing},
      {".alerts.resolved", Field::alerts_resolved},
      {".alerts.count", Field::alerts_count},
      {".severity", Field::severity},
      {".rating", Field::rating},
      {".alert.fingerprint", Field::alert_fingerprint},
      {".alert.generator_url", Field::alert_generator_url},
      {".labels.", Field::labels},
      {".annotations.", Field::annotations},
      {".alert.labels.", Field::alert_labels},
      {".alert.annotations.", Field::alert_annotations},
  }};

  Template t;
  t.source_ = std::string(text);
  std::string literal;
  auto flush_literal = [&] {
    if (literal.empty()) return;
    t.parts_.push_back(Part{true, std::move(literal), 0});
    literal.clear();
  };

  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find(kOpen, i);
    if (open == std::string_view::npos) {
      literal.append(text.substr(i));
      break;
    }
    literal.append(text.substr(i, open - i));
    if (text.substr(open, 4) == "{{{{") {
      literal.append(kOpen);
      i = open + 4;
      continue;
    }
    const std::size_t close = text.find(kClose, open + 2);
    if (close == std::string_view::npos) {
      return unexpected(position(text, open) + ": unclosed {{");
    }
    std::size_t b = open + 2;
    std::size_t e = close;
    while (b < e && is_blank(text[b])) ++b;
    while (e > b && is_blank(text[e - 1])) --e;
    const std::string_view ref = text.substr(b, e - b);
    if (ref.empty()) return unexpected(position(text, open) + ": empty {{ }}");

    bool found = false;
    for (const auto& [name, field] : kFields) {
      const bool with_name = name.back() == '.';
      if (!with_name && ref == name) {
        flush_literal();
        t.parts_.push_back(Part{false, {}, static_cast<std::uint8_t>(field)});
        found = true;
        break;
      }
      if (with_name && ref.starts_with(name)) {
        const std::string_view label = ref.substr(name.size());
        if (!valid_name(label)) {
          return unexpected(position(text, b) + ": invalid name \"" + std::string(label) +
                            "\" in \"" + std::string(ref) +
                            "\" (letters, digits and _, not starting with a digit)");
        }
        flush_literal();
        t.parts_.push_back(Part{false, std::string(label), static_cast<std::uint8_t>(field)});
        found = true;
        break;
      }
    }
    if (!found) {
      // Suggest against the NAME fields instantiated with the user's last segment, so
      // ".lables.team" is compared with ".labels.team", then shown as ".labels.NAME".
      const std::size_t dot = ref.rfind('.');
      const std::string_view last = dot == std::string_view::npos ? "" : ref.substr(dot + 1);
      std::vector<std::string> spelled;
      for (const auto& [name, field] : kFields) {
        spelled.push_back(name.back() == '.' ? std::string(name) + std::string(last)
                                             : std::string(name));
      }
      const std::vector<std::string_view> candidates(spelled.begin(), spelled.end());
      const std::string_view best = closest_match(ref, candidates);
      std::string hint;
      for (std::size_t k = 0; k < spelled.size() && !best.empty(); ++k) {
        if (spelled[k] != best) continue;
        const std::string_view name = kFields[k].first;
        hint =
            " (did you mean \"" + std::string(name) + (name.back() == '.' ? "NAME" : "") + "\"?)";
        break;
      }
      return unexpected(position(text, b) + ": unknown field \"" + std::string(ref) + "\"" + hint);
    }
    i = close + 2;
  }
  flush_literal();
  return t;
}

void Template::render(const TemplateData& data, std::string& out) const {
  render(data, out, nullptr);
}

void Template::render(const TemplateData& data, std::string& out, Escape escape) const {
  auto put = [&](std::string_view value) {
    if (escape != nullptr) {
      escape(out, value);
    } else {
      out.append(value);
    }
  };
  auto put_number = [&](std::uint64_t v) { fmt::format_to(std::back_inserter(out), "{}", v); };
  auto label = [](const LabelSet* set, const std::string& name) -> std::string_view {
    if (set == nullptr) return {};
    const std::string* v = find_label(*set, name);
    return v == nullptr ? std::string_view() : std::string_view(*v);
  };
  const Alert* a = data.first;
  for (const Part& p : parts_) {
    if (p.literal) {
      out.append(p.text);
      continue;
    }
    switch (static_cast<Field>(p.field)) {
      case Field::status: put(data.status); break;
      case Field::tenant_id: put(data.tenant_id); break;
      case Field::receiver: put(data.receiver); break;
      case Field::external_url: put(data.external_url); break;
      case Field::alerts_firing: put_number(data.firing); break;
      case Field::alerts_resolved: put_number(data.resolved); break;
      case Field::alerts_count: put_number(data.firing + data.resolved); break;
      case Field::severity:
        if (a != nullptr) put(to_string(a->severity));
        break;
      case Field::rating:
        if (a != nullptr) put_number(a->rating);
        break;
      case Field::alert_fingerprint:
        if (a != nullptr) fmt::format_to(std::back_inserter(out), "{:016x}", a->fingerprint);
        break;
      case Field::alert_generator_url:
        if (a != nullptr) put(a->generator_url);
        break;
      case Field::labels: put(label(data.common_labels, p.text)); break;
      case Field::annotations: put(label(data.common_annotations, p.text)); break;
      case Field::alert_labels:
        if (a != nullptr) put(label(&a->labels, p.text));
        break;
      case Field::alert_annotations:
        if (a != nullptr) put(label(&a->annotations, p.text));
        break;
    }
  }
}

std::string Template::render(const TemplateData& data) const {
  std::string out;
  render(data, out);
  return out;
}

}  // namespace alertgate
