// ConfigError: one problem found while loading a config or policy file, with its position.
#pragma once

#include <string>
#include <vector>

namespace alertgate {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem is the file as a whole
  int column = 0;  // 1-based
  std::string message;
};

// `file:line:col: message` (or `file: message` without a position).
std::string to_string(const ConfigError& e);

using ConfigErrors = std::vector<ConfigError>;

}  // namespace alertgate
