// LogSink: the `log` destination. Writes one enriched-alert JSON line per alert to stdout
// or to a file (opened for append, created 0640). Safe to share between shards: a batch
// is written with one write(2) under a mutex, so lines never interleave. Meant for
// debugging and demos; a slow disk slows the shard that writes.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "alertgate/result.hpp"
#include "alertgate/sink.hpp"

namespace alertgate {

class LogSink final : public Sink {
 public:
  // Writes to stdout.
  LogSink();
  // Opens `path` for append; errors name the path.
  static Result<std::unique_ptr<LogSink>> open(const std::filesystem::path& path);
  ~LogSink() override;

  SinkResult deliver(std::span<const Alert> alerts) override;
  const std::string& target() const { return target_; }

 private:
  LogSink(int fd, std::string target, bool owned);
  int fd_;
  std::string target_;
  bool owned_;
  std::mutex mutex_;
};

}  // namespace alertgate
