// Opening a request body for On Demand parsing: padding, simdjson stage 1, and the body-level
// errors (empty, not UTF-8, unclosed string, ...) with their byte offsets. Internal to the
// ingest stage.
#pragma once

#include <string>

#include "ingest/json_reader.hpp"

namespace alertgate::ingest {

// simdjson reads up to SIMDJSON_PADDING bytes past the data: grow the capacity (never the
// content). Call before taking any view of the body.
inline void pad(std::string& body) { body.reserve(body.size() + simdjson::SIMDJSON_PADDING); }

// Iterates the padded `body` with `parser` into `doc` and reads the root value's type. On
// failure records a body error in `r` and returns false.
bool open_body(std::string& body, od::parser& parser, JsonReader& r, od::document& doc,
               od::json_type& root_type);

// After the root value has been read: true if nothing but whitespace follows it. Otherwise
// records a body error ("unexpected content after the JSON value").
bool check_body_end(JsonReader& r, od::document& doc);

// Records that the root value has the wrong type (`expected` says what we wanted).
void wrong_root_type(JsonReader& r, std::string_view expected);

// Records the error of a root array/object that simdjson refuses to start (it checks that
// the body ends with the matching bracket).
void unbalanced_root(JsonReader& r, simdjson::error_code error);

}  // namespace alertgate::ingest
