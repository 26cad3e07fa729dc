// JSON text helpers shared by the decoders (UTF-8 checks) and every stage that writes JSON
// (escaping). Pure functions; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace alertgate {

// Appends `utf8` as a JSON string literal, quotes included. Escapes `"` and `\` and the
// control characters: \n \r \t \b \f by name, the other bytes < 0x20 and 0x7f as \u00XX.
// Everything else (including non-ASCII UTF-8 such as emoji) is copied as is, in runs.
// The input should be valid UTF-8; each byte that does not belong to a valid UTF-8
// sequence (stray continuation byte, overlong form, surrogate, > U+10FFFF, truncated
// sequence) is replaced by U+FFFD, so the output is always valid JSON and valid UTF-8.
void append_json_string(std::string& out, std::string_view utf8);

// True if `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool valid_utf8(std::string_view text);

// Byte offset of the first byte that does not start a valid UTF-8 sequence, or
// std::string_view::npos when `text` is valid.
std::size_t first_invalid_utf8(std::string_view text);

}  // namespace alertgate
