#include "ingest/body.hpp"

#include <fmt/format.h>

#include "alertgate/json_text.hpp"

namespace alertgate::ingest {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Stage 1 reports string errors without a position; find it with a plain scan (this runs
// only for bodies that already failed). `control` looks for the first unescaped control
// character inside a string; otherwise we want the start of the string left open at the end.
std::size_t locate_string_error(std::string_view body, bool control) {
  bool in_string = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const auto c = static_cast<unsigned char>(body[i]);
    if (!in_string) {
      if (c == '"') {
        in_string = true;
        start = i;
      }
    } else if (c == '\\') {
      ++i;  // skip the escaped byte
    } else if (c == '"') {
      in_string = false;
    } else if (control && c < 0x20) {
      return i;
    }
  }
  return in_string ? start : body.size();
}

// Position just past the last non-whitespace byte: where a truncated body stops.
std::size_t content_end(std::string_view body) {
  std::size_t n = body.size();
  while (n > 0 && is_space(body[n - 1])) --n;
  return n;
}

void stage1_error(JsonReader& r, simdjson::error_code error) {
  const std::string_view body = r.body();
  switch (error) {
    case simdjson::EMPTY:
      r.body_error(0, body.empty() ? "empty body" : "empty body (only whitespace)");
      return;
    case simdjson::UTF8_ERROR: {
      std::size_t at = first_invalid_utf8(body);
      if (at == std::string_view::npos) at = 0;
      r.body_error(at, "invalid UTF-8 in body");
      return;
    }
    case simdjson::UNCLOSED_STRING:
      r.body_error(locate_string_error(body, false), "invalid JSON: unclosed string");
      return;
    case simdjson::UNESCAPED_CHARS:
      r.body_error(locate_string_error(body, true),
                   "invalid JSON: unescaped control character in a string");
      return;
    case simdjson::CAPACITY: r.body_error(0, "body too large for the JSON parser"); return;
    case simdjson::MEMALLOC: r.body_error(0, "out of memory while parsing the body"); return;
    default:
      r.body_error(r.root_offset(),
                   fmt::format("invalid JSON ({})", simdjson::error_message(error)));
  }
}

}  // namespace

bool open_body(std::string& body, od::parser& parser, JsonReader& r, od::document& doc,
               od::json_type& root_type) {
  pad(body);  // no-op when the caller already did it
  const simdjson::padded_string_view padded(body.data(), body.size(), body.capacity());
  if (auto error = parser.iterate(padded).get(doc)) {
    stage1_error(r, error);
    return false;
  }
  r.set_document(&doc);
  if (doc.type().get(root_type) != simdjson::SUCCESS) {
    r.body_error(r.root_offset(), "invalid JSON: unexpected character");
    return false;
  }
  return true;
}

bool check_body_end(JsonReader& r, od::document& doc) {
  auto location = doc.current_location();
  if (location.error() == simdjson::OUT_OF_BOUNDS) return true;
  const std::size_t at =
      location.error() == simdjson::SUCCESS ? r.offset_of(location.value_unsafe()) : 0;
  r.body_error(at, "invalid JSON: unexpected content after the JSON value");
  return false;
}

void wrong_root_type(JsonReader& r, std::string_view expected) {
  r.body_error(r.root_offset(), fmt::format("expected {}", expected));
}

void unbalanced_root(JsonReader& r, simdjson::error_code error) {
  if (error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT) {
    r.body_error(content_end(r.body()),
                 "invalid JSON: truncated or unbalanced (the body does not end with the "
                 "bracket closing its first one)");
  } else {
    r.body_error(r.root_offset(), fmt::format("invalid JSON ({})", simdjson::error_message(error)));
  }
}

}  // namespace alertgate::ingest
