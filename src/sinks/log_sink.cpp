#include "alertgate/log_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "alertgate/alert_json.hpp"

namespace alertgate {

LogSink::LogSink() : LogSink(STDOUT_FILENO, "stdout", false) {}

LogSink::LogSink(int fd, std::string target, bool owned)
    : fd_(fd), target_(std::move(target)), owned_(owned) {}

Result<std::unique_ptr<LogSink>> LogSink::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return unexpected(
        Error{"cannot open log destination " + path.string() + ": " + std::strerror(errno)});
  }
  return std::unique_ptr<LogSink>(new LogSink(fd, path.string(), true));
}

LogSink::~LogSink() {
  if (owned_) ::close(fd_);
}

SinkResult LogSink::deliver(std::span<const Alert> alerts) {
  // One buffer per thread, reused: no allocation per batch once warm.
  thread_local std::string buf;
  buf.clear();
  for (const auto& a : alerts) {
    append_alert_json(buf, a);
    buf.push_back('\n');
  }
  std::lock_guard lock(mutex_);
  std::size_t done = 0;
  while (done < buf.size()) {
    const ssize_t n = ::write(fd_, buf.data() + done, buf.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SinkResult{NotifyOutcome::retry, std::chrono::seconds(1),
                        std::string("write to ") + target_ + ": " + std::strerror(errno)};
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace alertgate
