#include "alertgate/yaml_reader.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>
#include <utility>

#include <yaml-cpp/eventhandler.h>

#include "alertgate/main_config.hpp"

namespace alertgate {

namespace {

// yaml-cpp marks "not from the parser" with -1; ConfigError uses 0 for "no position".
int to_line(const YAML::Mark& m) { return m.line < 0 ? 0 : m.line + 1; }
int to_column(const YAML::Mark& m) { return m.line < 0 || m.column < 0 ? 0 : m.column + 1; }

// The mark to report a problem with `value` at: a Null value has the mark of the token
// after it (often the next line), so we point at its key instead.
YAML::Mark value_mark(const YamlMap::Entry& e) {
  return e.value.IsNull() ? e.key_mark : e.value.Mark();
}

std::string context(std::string_view key) { return "\"" + std::string(key) + "\": "; }

bool is_plain(const YAML::Node& n) { return n.Tag() == "?"; }

bool parse_bool_text(std::string_view s, bool& out) {
  if (s == "true" || s == "True" || s == "TRUE") return out = true, true;
  if (s == "false" || s == "False" || s == "FALSE") return out = false, true;
  return false;
}

bool looks_numeric(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty()) return false;
  bool digit = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '_' && c != '-' && c != '+') {
      return false;
    }
  }
  return digit;
}

// Decimal integer with an optional sign; false on anything else or on overflow.
bool parse_int(std::string_view s, std::int64_t& out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 18) {
    // 18 digits always fit; longer numbers are out of every bound we use anyway.
    if (s.size() > 18 &&
        std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      out = negative ? std::numeric_limits<std::int64_t>::min()
                     : std::numeric_limits<std::int64_t>::max();
      return true;
    }
    return false;
  }
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = negative ? -v : v;
  return true;
}

// Parses without building nodes; remembers where the last document started.
class DocumentProbe final : public YAML::EventHandler {
 public:
  YAML::Mark start;

  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

const YamlMap::Entry* YamlMap::find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

void YamlReader::error(const YAML::Mark& mark, std::string message) {
  if (truncated_) return;
  if (errors_.size() >= kMaxErrors) {
    truncated_ = true;
    errors_.push_back({file_, 0, 0, "too many errors, the rest are not shown"});
    return;
  }
  errors_.push_back({file_, to_line(mark), to_column(mark), std::move(message)});
}

void YamlReader::file_error(std::string message) {
  error(YAML::Mark::null_mark(), std::move(message));
}

std::optional<YAML::Node> YamlReader::parse(std::string_view text) {
  if (text.size() > kMaxFileBytes) {
    file_error("file is larger than " + format_byte_size(kMaxFileBytes));
    return std::nullopt;
  }
  source_.assign(text);
  if (auto line = find_deep_nesting(text, kMaxNesting)) {
    YAML::Mark m = YAML::Mark::null_mark();
    m.line = *line - 1;
    m.column = 0;
    error(m, "nested deeper than " + std::to_string(kMaxNesting) + " levels");
    return std::nullopt;
  }
  try {
    const std::string owned(text);
    {
      // Not YAML::LoadAll: yaml-cpp 0.7 never consumes a stray top-level ',' and LoadAll
      // then yields null documents forever. Two parser steps tell one document from more.
      std::istringstream in(owned);
      YAML::Parser parser(in);
      DocumentProbe probe;
      parser.HandleNextDocument(probe);
      if (parser.HandleNextDocument(probe)) {
        error(probe.start, "expected one YAML document, found another here");
        return std::nullopt;
      }
    }
    return YAML::Load(owned);
  } catch (const YAML::Exception& e) {
    // ParserException (and DeepRecursion) carry the position of the problem.
    error(e.mark, "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    file_error(std::string("cannot parse: ") + e.what());
  } catch (...) {
    file_error("cannot parse: unknown error");
  }
  return std::nullopt;
}

std::optional<std::string> YamlReader::read_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    file_error("cannot read: " + ec.message());
    return std::nullopt;
  }
  if (size > kMaxFileBytes) {
    file_error("file is larger than " + format_byte_size(kMaxFileBytes));
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    file_error("cannot open for reading");
    return std::nullopt;
  }
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) {
    file_error("cannot read");
    return std::nullopt;
  }
  return text;
}

std::optional<YamlMap> YamlReader::map(const YAML::Node& node, std::string_view what,
                                       const YAML::Mark& where) {
  if (!node.IsMap()) {
    const YAML::Mark m = node.IsNull() && where.line >= 0 ? where : node.Mark();
    error(m, std::string(what) + (what.empty() ? "" : ": ") + "expected a map, got " +
                 std::string(describe_node(node)));
    return std::nullopt;
  }
  std::vector<YamlMap::Entry> entries;
  entries.reserve(node.size());
  for (const auto& kv : node) {
    // Copies: yaml-cpp's iterator hands out a proxy, references into it dangle.
    const YAML::Node key = kv.first;
    if (!key.IsScalar()) {
      error(key.Mark(), "keys must be strings, got " + std::string(describe_node(key)));
      continue;
    }
    const std::string& name = key.Scalar();  // `key` is our own copy
    auto first = std::find_if(entries.begin(), entries.end(),
                              [&](const YamlMap::Entry& e) { return e.key == name; });
    if (first != entries.end()) {
      error(key.Mark(), "duplicate key " + quote_for_message(name) + " (first at " +
                            std::to_string(to_line(first->key_mark)) + ":" +
                            std::to_string(to_column(first->key_mark)) + ")");
      continue;
    }
    entries.push_back({name, key.Mark(), kv.second});
  }
  return YamlMap(node.Mark(), std::move(entries));
}

void YamlReader::check_keys(const YamlMap& map, std::initializer_list<std::string_view> allowed) {
  check_keys(map, std::vector<std::string_view>(allowed));
}

void YamlReader::check_keys(const YamlMap& map, const std::vector<std::string_view>& allowed) {
  for (const YamlMap::Entry& e : map.entries()) {
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end()) unknown_key(e, allowed);
  }
}

void YamlReader::unknown_key(const YamlMap::Entry& entry,
                             const std::vector<std::string_view>& known) {
  error(entry.key_mark,
        "unknown key " + quote_for_message(entry.key) + did_you_mean(entry.key, known));
}

const YamlMap::Entry* YamlReader::lookup(const YamlMap& map, std::string_view key, bool required) {
  const YamlMap::Entry* e = map.find(key);
  if (e == nullptr && required) {
    error(map.mark(), "missing required key " + quote_for_message(key));
  }
  return e;
}

std::optional<YamlString> YamlReader::as_string(const YAML::Node& node, const YAML::Mark& where) {
  if (!node.IsScalar()) {
    error(node.IsNull() ? where : node.Mark(),
          "expected a string, got " + std::string(describe_node(node)));
    return std::nullopt;
  }
  return YamlString{node.Scalar(), node.Mark()};
}

std::optional<YamlString> YamlReader::get_string(const YamlMap& map, std::string_view key,
                                                 bool required) {
  const YamlMap::Entry* e = lookup(map, key, required);
  if (e == nullptr) return std::nullopt;
  if (!e->value.IsScalar()) {
    error(value_mark(*e),
          context(key) + "expected a string, got " + std::string(describe_node(e->value)));
    return std::nullopt;
  }
  if (required && e->value.Scalar().empty()) {
    error(value_mark(*e), context(key) + "must not be empty");
    return std::nullopt;
  }
  return YamlString{e->value.Scalar(), e->value.Mark()};
}

std::optional<bool> YamlReader::get_bool(const YamlMap& map, std::string_view key, bool required) {
  const YamlMap::Entry* e = lookup(map, key, required);
  if (e == nullptr) return std::nullopt;
  bool value = false;
  if (e->value.IsScalar() && is_plain(e->value) && parse_bool_text(e->value.Scalar(), value)) {
    return value;
  }
  const std::string got = e->value.IsScalar() && is_plain(e->value)
                              ? quote_for_message(e->value.Scalar())
                              : std::string(describe_node(e->value));
  error(value_mark(*e), context(key) + "expected true or false, got " + got);
  return std::nullopt;
}

std::optional<std::int64_t> YamlReader::get_int(const YamlMap& map, std::string_view key,
                                                bool required, IntBounds bounds) {
  const YamlMap::Entry* e = lookup(map, key, required);
  if (e == nullptr) return std::nullopt;
  std::int64_t value = 0;
  if (!e->value.IsScalar() || !is_plain(e->value) || !parse_int(e->value.Scalar(), value)) {
    const std::string got = e->value.IsScalar() && is_plain(e->value)
                                ? quote_for_message(e->value.Scalar())
                                : std::string(describe_node(e->value));
    error(value_mark(*e), context(key) + "expected an integer, got " + got);
    return std::nullopt;
  }
  if (value < bounds.min || value > bounds.max) {
    error(value_mark(*e), context(key) + e->value.Scalar() + " is out of range " +
                              std::to_string(bounds.min) + ".." + std::to_string(bounds.max));
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> YamlReader::get_duration_ms(const YamlMap& map, std::string_view key,
                                                        bool required, IntBounds bounds) {
  const YamlMap::Entry* e = lookup(map, key, required);
  if (e == nullptr) return std::nullopt;
  if (!e->value.IsScalar()) {
    error(value_mark(*e),
          context(key) + "expected a duration, got " + std::string(describe_node(e->value)));
    return std::nullopt;
  }
  auto parsed = parse_duration(e->value.Scalar());
  if (!parsed) {
    error(value_mark(*e), context(key) + parsed.error().message);
    return std::nullopt;
  }
  const std::int64_t ms = parsed->count();
  if (ms < bounds.min || ms > bounds.max) {
    error(value_mark(*e), context(key) + e->value.Scalar() + " is out of range " +
                              format_duration_ms(bounds.min) + ".." +
                              format_duration_ms(bounds.max));
    return std::nullopt;
  }
  return ms;
}

std::optional<std::int64_t> YamlReader::get_byte_size(const YamlMap& map, std::string_view key,
                                                      bool required, IntBounds bounds) {
  const YamlMap::Entry* e = lookup(map, key, required);
  if (e == nullptr) return std::nullopt;
  if (!e->value.IsScalar()) {
    error(value_mark(*e),
          context(key) + "expected a byte size, got " + std::string(describe_node(e->value)));
    return std::nullopt;
  }
  auto parsed = parse_byte_size(e->value.Scalar());
  if (!parsed) {
    error(value_mark(*e), context(key) + parsed.error().message);
    return std::nullopt;
  }
  const auto bytes = static_cast<std::int64_t>(*parsed);
  if (bytes < bounds.min || bytes > bounds.max) {
    error(value_mark(*e), context(key) + e->value.Scalar() + " is out of range " +
                              format_byte_size(bounds.min) + ".." + format_byte_size(bounds.max));
    return std::nullopt;
  }
  return bytes;
}

std::optional<std::vector<YamlString>> YamlReader::get_string_list(const YamlMap& map,
                                                                   std::string_view key,
                                                                   bool required) {
  const YamlMap::Entry* e = lookup(map, key, required);
  if (e == nullptr) return std::nullopt;
  if (e->value.IsScalar()) return std::vector<YamlString>{{e->value.Scalar(), e->value.Mark()}};
  if (!e->value.IsSequence()) {
    error(value_mark(*e), context(key) + "expected a string or a list of strings, got " +
                              std::string(describe_node(e->value)));
    return std::nullopt;
  }
  std::vector<YamlString> out;
  bool all_ok = true;
  for (const YAML::Node& item : e->value) {
    if (auto s = as_string(item, e->value.Mark())) {
      out.push_back(std::move(*s));
    } else {
      all_ok = false;
    }
  }
  if (!all_ok) return std::nullopt;
  return out;
}

std::optional<std::vector<YAML::Node>> YamlReader::get_list(const YamlMap& map,
                                                            std::string_view key, bool required) {
  const YamlMap::Entry* e = lookup(map, key, required);
  if (e == nullptr) return std::nullopt;
  if (!e->value.IsSequence()) {
    error(value_mark(*e),
          context(key) + "expected a list, got " + std::string(describe_node(e->value)));
    return std::nullopt;
  }
  std::vector<YAML::Node> out;
  out.reserve(e->value.size());
  for (const YAML::Node& item : e->value) out.push_back(item);
  return out;
}

std::string_view describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Undefined: return "nothing";
    case YAML::NodeType::Scalar: break;
  }
  if (is_plain(node)) {
    bool b = false;
    if (parse_bool_text(node.Scalar(), b)) return "a bool";
    if (looks_numeric(node.Scalar())) return "a number";
  }
  return "a string";
}

}  // namespace alertgate
