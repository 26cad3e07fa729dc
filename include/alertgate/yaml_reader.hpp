// YamlReader: strict loading of one YAML (or JSON) config document on top of yaml-cpp.
//
// Owns the ConfigErrors of one file. Every check reports with `file:line:col` (1-based,
// from YAML::Mark) and the loading goes on, so one pass finds every problem. Nothing here
// throws: yaml-cpp exceptions are caught and become errors. Used by the policy and config
// loaders on the control thread only (start-up and reload); not thread-safe, not for the
// data path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "alertgate/config_error.hpp"

namespace alertgate {

// A scalar as written, with where it was written.
struct YamlString {
  std::string text;
  YAML::Mark mark;
};

// The entries of one YAML map, checked: no duplicate keys, every key a scalar.
class YamlMap {
 public:
  struct Entry {
    std::string key;
    YAML::Mark key_mark;
    YAML::Node value;
  };

  YamlMap() = default;
  YamlMap(YAML::Mark mark, std::vector<Entry> entries)
      : mark_(mark), entries_(std::move(entries)) {}

  const Entry* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  const std::vector<Entry>& entries() const { return entries_; }
  const YAML::Mark& mark() const { return mark_; }

 private:
  YAML::Mark mark_;
  std::vector<Entry> entries_;
};

// Integer bounds, inclusive.
struct IntBounds {
  std::int64_t min;
  std::int64_t max;
};

class YamlReader {
 public:
  static constexpr std::size_t kMaxErrors = 100;  // per file; more is noise
  static constexpr int kMaxNesting = 64;          // deeper input is refused before parsing
  static constexpr std::size_t kMaxFileBytes = std::size_t{4} * 1024 * 1024;

  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  // Parses exactly one document. Returns nullopt (with an error) on a syntax error, on
  // more than one document, or on nesting deeper than kMaxNesting. An empty text gives a
  // Null node. Catches every exception.
  std::optional<YAML::Node> parse(std::string_view text);

  // Reads a whole file (at most kMaxFileBytes); nullopt with a file-level error otherwise.
  std::optional<std::string> read_file(const std::filesystem::path& path);

  // `node` must be a map (else "expected a map, got ..."); reports duplicate keys and keys
  // not in `allowed` ("unknown key "lables" (did you mean "labels"?)"). Unknown keys stay
  // in the result so callers can give a more precise message first; `what` names the
  // object in the type error ("destination").
  // `where` is used for a Null node, whose own mark is that of the next token.
  std::optional<YamlMap> map(const YAML::Node& node, std::string_view what,
                             const YAML::Mark& where = YAML::Mark::null_mark());
  void check_keys(const YamlMap& map, std::initializer_list<std::string_view> allowed);
  void check_keys(const YamlMap& map, const std::vector<std::string_view>& allowed);
  void unknown_key(const YamlMap::Entry& entry, const std::vector<std::string_view>& known);

  // Typed getters. A missing key gives nullopt, plus `missing required key "x"` at the
  // map's position when `required`. A wrong type or value is reported at the value.
  std::optional<YamlString> get_string(const YamlMap& map, std::string_view key, bool required);
  std::optional<bool> get_bool(const YamlMap& map, std::string_view key, bool required);
  std::optional<std::int64_t> get_int(const YamlMap& map, std::string_view key, bool required,
                                      IntBounds bounds);
  // parse_duration syntax ("30s", "1h30m"); bounds in milliseconds.
  std::optional<std::int64_t> get_duration_ms(const YamlMap& map, std::string_view key,
                                              bool required, IntBounds bounds);
  // parse_byte_size syntax ("512KiB", 1048576); bounds in bytes.
  std::optional<std::int64_t> get_byte_size(const YamlMap& map, std::string_view key, bool required,
                                            IntBounds bounds);
  // A list of strings, or one string (= a list of one).
  std::optional<std::vector<YamlString>> get_string_list(const YamlMap& map, std::string_view key,
                                                         bool required);
  // A list node of anything; nullopt with an error when the value is not a list.
  std::optional<std::vector<YAML::Node>> get_list(const YamlMap& map, std::string_view key,
                                                  bool required);

  // Value-level converters, for list elements and custom getters.
  std::optional<YamlString> as_string(const YAML::Node& node, const YAML::Mark& where);

  // Where byte `index` of a scalar's value was written, for errors inside a value (a
  // template's column). Exact for a plain, 'single' or "double" quoted scalar on one line
  // (simple escapes only); nullopt otherwise (block scalars, folded lines, \x/\u escapes),
  // when callers report at the value itself.
  std::optional<YAML::Mark> mark_in_scalar(const YAML::Node& scalar, std::size_t index) const;

  void error(const YAML::Mark& mark, std::string message);
  void error(const YAML::Node& node, std::string message) {
    error(node.Mark(), std::move(message));
  }
  void file_error(std::string message);

  bool ok() const { return errors_.empty(); }
  const std::string& file() const { return file_; }
  const ConfigErrors& errors() const { return errors_; }
  ConfigErrors take_errors() { return std::move(errors_); }

 private:
  const YamlMap::Entry* lookup(const YamlMap& map, std::string_view key, bool required);

  std::string file_;
  std::string source_;  // the text given to parse()
  ConfigErrors errors_;
  bool truncated_ = false;
};

// "a map", "a list", "null", "a number", "a bool" or "a string": for type errors.
std::string_view describe_node(const YAML::Node& node);

// Optimal-string-alignment edit distance (a swap of two neighbours counts 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` within distance 2 (and shorter than `word`), or empty.
std::string_view closest_match(std::string_view word,
                               const std::vector<std::string_view>& candidates);

// ` (did you mean "x"?)` or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

// The 1-based line where flow brackets (`[`, `{`) nest deeper than `limit`, or block
// indentation (counting compact `- ` indicators) reaches 2 * `limit` columns; nullopt when
// neither happens. A cheap scan run before yaml-cpp, whose parser recurses once per level.
std::optional<int> find_deep_nesting(std::string_view text, int limit);

// `"text"` for messages: escapes quotes and control bytes, cuts at 60 bytes ("…").
// Never use it on secrets.
std::string quote_for_message(std::string_view text);

// "250ms", "30s", "1h30m": the shortest text parse_duration reads back. (Implemented with
// parse_duration/parse_byte_size in src/policy/units.cpp: tenant files need them too, and
// the config stage depends on policy, not the other way round.)
std::string format_duration_ms(std::int64_t ms);
// "512KiB", "1MiB", "1000": exact, the largest binary unit that divides it.
std::string format_byte_size(std::int64_t bytes);

}  // namespace alertgate
