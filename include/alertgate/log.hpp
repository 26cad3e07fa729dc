// Logger: one JSON object per line on stderr: {"ts":...,"level":...,"msg":...,<fields>}.
// Any thread may log (a line is written with one write(2) call). Not for the hot path:
// log per request only at debug level. Never pass secrets as fields.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <type_traits>
#include <variant>

namespace alertgate {

enum class LogLevel : std::uint8_t { debug, info, warn, error };

struct LogField {
  using Value = std::variant<std::string_view, long long, unsigned long long, double, bool>;
  std::string_view key;
  Value value;

  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  LogField(std::string_view k, I v) : key(k) {
    if constexpr (std::is_signed_v<I>) {
      value = static_cast<long long>(v);
    } else {
      value = static_cast<unsigned long long>(v);
    }
  }
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
};

namespace log {

void set_level(LogLevel level);
LogLevel level();
// File descriptor the lines go to (default 2, stderr).
void set_fd(int fd);

void write(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
inline void debug(std::string_view msg, std::initializer_list<LogField> f = {}) {
  if (level() <= LogLevel::debug) write(LogLevel::debug, msg, f);
}
inline void info(std::string_view msg, std::initializer_list<LogField> f = {}) {
  write(LogLevel::info, msg, f);
}
inline void warn(std::string_view msg, std::initializer_list<LogField> f = {}) {
  write(LogLevel::warn, msg, f);
}
inline void error(std::string_view msg, std::initializer_list<LogField> f = {}) {
  write(LogLevel::error, msg, f);
}

}  // namespace log
}  // namespace alertgate
