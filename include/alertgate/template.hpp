// Template: the small text templates of destinations (Slack title/text, Telegram text,
// Opsgenie message, email subject/body). No code execution: only field references and
// plain text, parsed once when the policy loads, rendered on the shard.
//
// Syntax: text with `{{ field }}` references (spaces inside the braces optional).
//   {{ .status }}            "firing" or "resolved" (of the notification)
//   {{ .tenant_id }}  {{ .receiver }}  {{ .external_url }}
//   {{ .alerts.firing }}  {{ .alerts.resolved }}  {{ .alerts.count }}   numbers
//   {{ .labels.NAME }}       the common label NAME (equal on every alert of the
//                            notification; "" otherwise) — group labels are common
//   {{ .annotations.NAME }}  the common annotation NAME
//   {{ .severity }}  {{ .rating }}   of the first (highest-rated) firing alert, else first
//   {{ .alert.labels.NAME }} {{ .alert.annotations.NAME }} {{ .alert.fingerprint }}
//   {{ .alert.generator_url }}   of that same first alert
// `{{{{` writes a literal `{{`. Anything else inside braces is a parse error naming its
// column. Rendering never fails: an absent field renders as "".
//
// Immutable once parsed; any thread may render.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alertgate/alert.hpp"
#include "alertgate/result.hpp"

namespace alertgate {

struct TemplateData {
  std::string_view status;  // "firing" | "resolved"
  std::string_view tenant_id;
  std::string_view receiver;
  std::string_view external_url;
  std::size_t firing = 0;
  std::size_t resolved = 0;
  const LabelSet* common_labels = nullptr;
  const LabelSet* common_annotations = nullptr;
  const Alert* first = nullptr;  // the alert `.alert.*`, `.severity`, `.rating` read
};

class Template {
 public:
  Template() = default;
  // Errors: "column 7: unknown field \".lables.x\" (did you mean \".labels.NAME\"?)",
  // "column 3: unclosed {{".
  static Result<Template, std::string> parse(std::string_view text);

  // Appends the rendering to `out`.
  void render(const TemplateData& data, std::string& out) const;
  std::string render(const TemplateData& data) const;
  // Like render(), but each field value goes through `escape` (which appends it escaped for
  // the destination's markup: Slack mrkdwn, Telegram HTML); literal text is the tenant's
  // own markup and is copied as written. A null `escape` copies values as they are.
  using Escape = void (*)(std::string& out, std::string_view value);
  void render(const TemplateData& data, std::string& out, Escape escape) const;
  const std::string& source() const { return source_; }
  bool empty() const { return source_.empty(); }

 private:
  enum class Field : std::uint8_t;
  struct Part {
    bool literal = true;
    std::string text;  // the literal, or the NAME of a .labels/.annotations field
    std::uint8_t field = 0;
  };
  std::string source_;
  std::vector<Part> parts_;
};

}  // namespace alertgate
