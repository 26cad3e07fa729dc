#include "wal/segment_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace alertgate::wal::detail {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

std::error_code last_errno() { return {errno, std::system_category()}; }

std::error_code pwrite_all(int fd, const void* data, std::size_t size, std::uint64_t offset) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, p, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    // A short write is retried: the next call reports the reason (ENOSPC, EFBIG) if any.
    p += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return {};
}

std::error_code sync_data(int fd) {
  while (::fdatasync(fd) != 0) {
    if (errno != EINTR) return last_errno();
  }
  return {};
}

std::error_code truncate_to(int fd, std::uint64_t size) {
  while (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    if (errno != EINTR) return last_errno();
  }
  return {};
}

std::error_code sync_dir(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return last_errno();
  if (::fsync(fd.get()) != 0) return last_errno();
  return {};
}

std::error_code create_file(const std::filesystem::path& path, Fd& out) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return last_errno();
  out = std::move(fd);
  return {};
}

std::error_code read_whole_file(const std::filesystem::path& path, std::string& out) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return last_errno();
  out.clear();
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    if (n == 0) return {};
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace alertgate::wal::detail
