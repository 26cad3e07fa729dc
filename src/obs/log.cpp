#include "alertgate/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>

#include <fmt/format.h>

#include "alertgate/json_text.hpp"
#include "alertgate/time.hpp"

namespace alertgate::log {

namespace {

std::atomic<LogLevel> g_level{LogLevel::info};
std::atomic<int> g_fd{2};

std::string_view level_name(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "info";
}

void write_all(int fd, const std::string& line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a failing log stream
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

void set_level(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }
LogLevel level() { return g_level.load(std::memory_order_relaxed); }
void set_fd(int fd) { g_fd.store(fd, std::memory_order_relaxed); }

void write(LogLevel lvl, std::string_view msg, std::initializer_list<LogField> fields) {
  if (lvl < level()) return;
  std::string line;
  line.reserve(128);
  line.append("{\"ts\":\"");
  append_rfc3339(line, now());
  line.append("\",\"level\":\"");
  line.append(level_name(lvl));
  line.append("\",\"msg\":");
  append_json_string(line, msg);
  for (const auto& f : fields) {
    line.push_back(',');
    append_json_string(line, f.key);
    line.push_back(':');
    std::visit(
        [&line](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string_view>) {
            append_json_string(line, v);
          } else if constexpr (std::is_same_v<V, bool>) {
            line.append(v ? "true" : "false");
          } else {
            fmt::format_to(std::back_inserter(line), "{}", v);
          }
        },
        f.value);
  }
  line.append("}\n");
  write_all(g_fd.load(std::memory_order_relaxed), line);
}

}  // namespace alertgate::log
