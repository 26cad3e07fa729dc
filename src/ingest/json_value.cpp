// JsonReader::write_json: copies an arbitrary JSON value (PagerDuty custom_details, links)
// into minified JSON text. On Demand does not validate what it skips, so this walks the value
// and checks every scalar: the annotation we store is always valid JSON.
#include <fmt/format.h>

#include <utility>

#include "alertgate/json_text.hpp"
#include "ingest/json_reader.hpp"

namespace alertgate::ingest {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. Any magnitude
// (1e999, 30-digit integers) is valid JSON and is kept as written.
bool valid_number(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (is_digit(s[i])) {
    while (i < n && is_digit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (i >= n || !is_digit(s[i])) return false;
    while (i < n && is_digit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= n || !is_digit(s[i])) return false;
    while (i < n && is_digit(s[i])) ++i;
  }
  return i == n;
}

}  // namespace

Step JsonReader::write_json(od::value& v, const Path& path, std::string& out) {
  out.clear();
  if (Step s = write_json_at(v, path, out, 0); s != Step::ok) return s;
  if (out.size() > limits_.max_annotation_value_bytes) {
    return fail(offset_of(v), path,
                fmt::format("too large ({} bytes as JSON, max {})", out.size(),
                            limits_.max_annotation_value_bytes));
  }
  return Step::ok;
}

Step JsonReader::write_json_at(od::value& v, const Path& path, std::string& out, int depth) {
  // Stop early on runaway input; the final size check gives the precise message.
  if (out.size() > limits_.max_annotation_value_bytes) return Step::ok;
  const std::string_view token = v.raw_json_token();
  od::json_type type;
  if (auto error = v.type().get(type)) return syntax_error(error, token.data());
  switch (type) {
    case od::json_type::object: {
      if (depth >= kMaxJsonDepth) {
        return fail(offset_of(v), path, fmt::format("nested deeper than {} levels", kMaxJsonDepth));
      }
      od::object object;
      if (auto error = v.get_object().get(object)) return syntax_error(error);
      out.push_back('{');
      bool first = true;
      for (auto field_result : object) {
        if (auto error = field_result.error()) return syntax_error(error);
        od::field& field = field_result.value_unsafe();
        std::size_t key_at = 0;
        std::string_view key;
        if (Step s = read_key(field, path, key_at, key); s != Step::ok) return s;
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, key);
        out.push_back(':');
        if (Step s = write_json_at(field.value(), path, out, depth + 1); s != Step::ok) return s;
      }
      out.push_back('}');
      return Step::ok;
    }
    case od::json_type::array: {
      if (depth >= kMaxJsonDepth) {
        return fail(offset_of(v), path, fmt::format("nested deeper than {} levels", kMaxJsonDepth));
      }
      od::array array;
      if (auto error = v.get_array().get(array)) return syntax_error(error);
      out.push_back('[');
      bool first = true;
      for (auto element_result : array) {
        if (auto error = element_result.error()) return syntax_error(error);
        od::value element = element_result.value_unsafe();
        if (!first) out.push_back(',');
        first = false;
        if (Step s = write_json_at(element, path, out, depth + 1); s != Step::ok) return s;
      }
      out.push_back(']');
      return Step::ok;
    }
    case od::json_type::string: {
      std::string_view text;
      if (v.get_string().get(text) != simdjson::SUCCESS) {
        return fail(offset_of(token.data()), path,
                    "invalid string: bad escape sequence or lone surrogate");
      }
      append_json_string(out, text);
      return Step::ok;
    }
    case od::json_type::number: {
      const std::string_view number = trim_right(token);
      if (!valid_number(number)) return syntax_error(simdjson::NUMBER_ERROR, token.data());
      out.append(number);
      return Step::ok;
    }
    case od::json_type::boolean:
    case od::json_type::null: {
      const std::string_view atom = trim_right(token);
      if (atom != "true" && atom != "false" && atom != "null") {
        return syntax_error(simdjson::T_ATOM_ERROR, token.data());
      }
      out.append(atom);
      return Step::ok;
    }
  }
  return Step::ok;
}

}  // namespace alertgate::ingest
