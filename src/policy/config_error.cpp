#include "alertgate/config_error.hpp"

namespace alertgate {

std::string to_string(const ConfigError& e) {
  std::string out = e.file;
  if (e.line > 0) {
    if (!out.empty()) out += ':';
    out += std::to_string(e.line);
    if (e.column > 0) {
      out += ':';
      out += std::to_string(e.column);
    }
  }
  if (!out.empty()) out += ": ";
  out += e.message;
  return out;
}

}  // namespace alertgate
