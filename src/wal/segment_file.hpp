// File helpers for the WAL (private to the stage): whole writes, syncs, directory syncs.
// Blocking; called on the WAL thread or by replay. Errors are errno values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>

namespace alertgate::wal::detail {

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

std::error_code last_errno();
// Writes all of [data, data+size) at `offset`, retrying short writes and EINTR.
std::error_code pwrite_all(int fd, const void* data, std::size_t size, std::uint64_t offset);
std::error_code sync_data(int fd);
std::error_code truncate_to(int fd, std::uint64_t size);
// fsync of a directory, so a created, renamed or removed entry survives a crash.
std::error_code sync_dir(const std::filesystem::path& dir);
// Creates `path` (it must not exist) for writing.
std::error_code create_file(const std::filesystem::path& path, Fd& out);
std::error_code read_whole_file(const std::filesystem::path& path, std::string& out);

}  // namespace alertgate::wal::detail
