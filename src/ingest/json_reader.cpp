#include "ingest/json_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <utility>

#include "alertgate/json_text.hpp"

namespace alertgate::ingest {

namespace {

constexpr std::array<std::uint8_t, 256> make_name_table() {
  // bit 0: may start a label name, bit 1: may continue it.
  std::array<std::uint8_t, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = 3;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = 3;
  t['_'] = 3;
  for (int c = '0'; c <= '9'; ++c) t[c] = 2;
  return t;
}
constexpr auto kNameTable = make_name_table();

constexpr std::size_t kMaxQuoted = 64;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view syntax_problem(simdjson::error_code error) {
  switch (error) {
    case simdjson::TAPE_ERROR:
      return "invalid JSON (missing or extra comma, colon, bracket or value)";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT: return "invalid JSON (unbalanced brackets)";
    case simdjson::NUMBER_ERROR: return "invalid JSON (malformed number)";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
    case simdjson::INCORRECT_TYPE: return "invalid JSON (malformed true, false or null)";
    case simdjson::STRING_ERROR: return "invalid JSON (malformed string)";
    default: return {};
  }
}

}  // namespace

bool valid_label_name(std::string_view name) {
  if (name.empty() || (kNameTable[static_cast<unsigned char>(name[0])] & 1) == 0) return false;
  for (char c : name) {
    if ((kNameTable[static_cast<unsigned char>(c)] & 2) == 0) return false;
  }
  return true;
}

std::string_view type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "an unknown value";
}

std::string json_quoted(std::string_view text) {
  bool cut = false;
  if (text.size() > kMaxQuoted) {
    std::size_t n = kMaxQuoted;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // char boundary
    text = text.substr(0, n);
    cut = true;
  }
  std::string out;
  append_json_string(out, text);
  if (cut) out.insert(out.size() - 1, "...");
  return out;
}

std::size_t JsonReader::offset_of(const char* p) const {
  if (p < body_.data()) return 0;
  const auto off = static_cast<std::size_t>(p - body_.data());
  return off > body_.size() ? body_.size() : off;
}

std::size_t JsonReader::root_offset() const {
  std::size_t i = 0;
  while (i < body_.size() && is_space(body_[i])) ++i;
  return i;
}

std::string JsonReader::render(const Path& path, std::string_view problem) const {
  std::string m;
  auto out = std::back_inserter(m);
  if (in_array_) fmt::format_to(out, "alerts[{}]", index_);
  for (std::string_view name : {path.parent, path.member}) {
    if (name.empty()) continue;
    if (valid_label_name(name)) {
      if (!m.empty()) m.push_back('.');
      m.append(name);
    } else {
      m.push_back('[');
      m.append(json_quoted(name));
      m.push_back(']');
    }
  }
  if (!m.empty()) m.append(": ");
  m.append(problem);
  return m;
}

Step JsonReader::fail(std::size_t offset, const Path& path, std::string_view problem) {
  report_.errors.push_back(DecodeError{index_, offset, render(path, problem)});
  return Step::invalid;
}

Step JsonReader::syntax_error(simdjson::error_code error, const char* at) {
  std::size_t offset = body_.size();
  if (at != nullptr) {
    offset = offset_of(at);
  } else if (doc_ != nullptr) {
    // Points at the token where the iterator stopped (or at the end of the body).
    auto loc = doc_->current_location();
    if (loc.error() == simdjson::SUCCESS) offset = offset_of(loc.value_unsafe());
  }
  std::string_view problem = syntax_problem(error);
  std::string fallback;
  if (problem.empty()) {
    fallback = fmt::format("invalid JSON ({})", simdjson::error_message(error));
    problem = fallback;
  }
  report_.errors.push_back(DecodeError{index_, offset, render({}, problem)});
  return Step::fatal;
}

void JsonReader::body_error(std::size_t offset, std::string message) {
  report_.body_error = true;
  report_.errors.push_back(DecodeError{DecodeError::kBodyError, offset, std::move(message)});
}

std::size_t JsonReader::plain_string_length(const char* p) const {
  // Most keys and values have no escapes: use the bytes in the body as they are (stage 1
  // has validated their UTF-8 and control characters) instead of unescaping a copy.
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  const char* const begin = p;
  const char* const end = body_.data() + body_.size();
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    const std::uint64_t q = w ^ (kOnes * '"');
    const std::uint64_t b = w ^ (kOnes * '\\');
    if ((((q - kOnes) & ~q) | ((b - kOnes) & ~b)) & kHighs) break;
    p += 8;
  }
  for (; p < end; ++p) {
    if (*p == '"') return static_cast<std::size_t>(p - begin);
    if (*p == '\\') return std::string_view::npos;
  }
  return std::string_view::npos;  // unreachable for a body that passed stage 1
}

Step JsonReader::read_key(od::field& field, const Path& where, std::size_t& key_at,
                          std::string_view& key) {
  const char* raw = field.key().raw();
  key_at = offset_of(raw);
  key_at = key_at > 0 ? key_at - 1 : 0;
  if (const std::size_t n = plain_string_length(raw); n != std::string_view::npos) {
    key = std::string_view(raw, n);
    return Step::ok;
  }
  if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
    return fail(key_at, where, "invalid name: bad escape sequence or lone surrogate");
  }
  return Step::ok;
}

Step JsonReader::get_string(od::value& v, const Path& path, std::size_t max_bytes,
                            std::string_view& out, bool nullable) {
  od::json_type type;
  if (auto error = v.type().get(type)) return syntax_error(error, v.raw_json_token().data());
  const std::size_t offset = offset_of(v);
  if (type != od::json_type::string) {
    if (nullable && type == od::json_type::null) {
      out = {};
      return Step::ok;
    }
    return fail(offset, path, fmt::format("expected a string, got {}", type_name(type)));
  }
  const char* contents = v.raw_json_token().data() + 1;
  if (const std::size_t n = plain_string_length(contents); n != std::string_view::npos) {
    out = std::string_view(contents, n);
    simdjson::ondemand::raw_json_string consumed;
    (void)v.get_raw_json_string().get(consumed);  // steps over the string; cannot fail here
  } else if (v.get_string().get(out) != simdjson::SUCCESS) {
    return fail(offset, path, "invalid string: bad escape sequence or lone surrogate");
  }
  if (out.size() > max_bytes) {
    return fail(offset, path, fmt::format("too long ({} bytes, max {})", out.size(), max_bytes));
  }
  return Step::ok;
}

Step JsonReader::get_time(od::value& v, const Path& path, TimePoint& out) {
  // The longest valid form, "2262-04-11T23:47:16.854775807+23:59", is 35 bytes.
  constexpr std::size_t kMaxTimeBytes = 64;
  std::string_view text;
  if (Step s = get_string(v, path, kMaxTimeBytes, text, /*nullable=*/true); s != Step::ok) {
    return s;
  }
  out = TimePoint{};
  if (text.empty()) {
    if (v.raw_json_token().front() == 'n') return Step::ok;  // null: not given
    return fail(offset_of(v), path, "invalid RFC 3339 time \"\"");
  }
  const ParsedTime parsed = parse_rfc3339(text);
  switch (parsed.status) {
    case TimeParse::ok: out = parsed.value; return Step::ok;
    case TimeParse::unset: return Step::ok;
    case TimeParse::invalid:
      return fail(offset_of(v), path, fmt::format("invalid RFC 3339 time {}", json_quoted(text)));
    case TimeParse::out_of_range:
      return fail(offset_of(v), path,
                  fmt::format("time {} out of range (years 1678..2262)", json_quoted(text)));
  }
  return Step::ok;
}

Step JsonReader::get_object(od::value& v, const Path& path, od::object& out, bool& is_null) {
  od::json_type type;
  if (auto error = v.type().get(type)) return syntax_error(error, v.raw_json_token().data());
  is_null = type == od::json_type::null;
  if (is_null) return Step::ok;
  if (type != od::json_type::object) {
    return fail(offset_of(v), path, fmt::format("expected an object, got {}", type_name(type)));
  }
  if (auto error = v.get_object().get(out)) return syntax_error(error);
  return Step::ok;
}

Step JsonReader::read_labels(od::value& v, std::string_view kind, LabelSet& out) {
  const bool labels = kind == "labels";
  od::object object;
  bool is_null = false;
  if (Step s = get_object(v, {{}, kind}, object, is_null); s != Step::ok || is_null) return s;

  const std::size_t max_value =
      labels ? limits_.max_label_value_bytes : limits_.max_annotation_value_bytes;
  std::vector<PendingLabel>& pending = scratch_.pending;
  pending.clear();
  for (auto field_result : object) {
    if (auto error = field_result.error()) return syntax_error(error);
    od::field& field = field_result.value_unsafe();
    std::size_t key_at = 0;
    std::string_view name;
    if (Step s = read_key(field, {{}, kind}, key_at, name); s != Step::ok) return s;
    if (pending.size() >= limits_.max_labels) {
      return fail(key_at, {{}, kind},
                  fmt::format("too many {} (max {})", kind, limits_.max_labels));
    }
    if (name.size() > limits_.max_label_name_bytes) {
      return fail(key_at, {kind, name},
                  fmt::format("name too long ({} bytes, max {})", name.size(),
                              limits_.max_label_name_bytes));
    }
    if (labels && !valid_label_name(name)) {
      return fail(key_at, {kind, name}, "invalid label name (must match [a-zA-Z_][a-zA-Z0-9_]*)");
    }
    if (name.empty()) return fail(key_at, {kind, name}, "empty annotation name");
    std::string_view value;
    if (Step s = get_string(field.value(), {kind, name}, max_value, value); s != Step::ok) {
      return s;
    }
    pending.push_back(PendingLabel{name, value, key_at});
  }

  std::sort(pending.begin(), pending.end(),
            [](const PendingLabel& a, const PendingLabel& b) { return a.name < b.name; });
  // Report the earliest repeated occurrence in body order.
  const PendingLabel* duplicate = nullptr;
  for (std::size_t i = 1; i < pending.size(); ++i) {
    if (pending[i].name != pending[i - 1].name) continue;
    const PendingLabel& later =
        pending[i].key_offset > pending[i - 1].key_offset ? pending[i] : pending[i - 1];
    if (duplicate == nullptr || later.key_offset < duplicate->key_offset) duplicate = &later;
  }
  if (duplicate != nullptr) {
    return fail(duplicate->key_offset, {kind, duplicate->name},
                labels ? "duplicate label name" : "duplicate annotation name");
  }
  out.reserve(out.size() + pending.size());
  for (const PendingLabel& p : pending)
    out.push_back(Label{std::string(p.name), std::string(p.value)});
  return Step::ok;
}

}  // namespace alertgate::ingest
