#include "alertgate/wal/dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace alertgate::wal {

Result<std::optional<DirLock>> DirLock::try_lock(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "LOCK";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<DirLock>{};  // the directory is gone
    return unexpected(Error{path.string() + ": " + std::generic_category().message(errno)});
  }
  DirLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return std::optional<DirLock>{};
    return unexpected(Error{path.string() + ": flock: " + std::generic_category().message(errno)});
  }
  // Between open() and flock() an adopter may have removed the directory: then the lock is
  // on a file no one else can find. Only a lock on the file at `path` counts.
  struct stat held {
  }, named{};
  if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &named) != 0 || held.st_ino != named.st_ino ||
      held.st_dev != named.st_dev) {
    return std::optional<DirLock>{};
  }
  return std::optional<DirLock>(std::move(lock));
}

DirLock& DirLock::operator=(DirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor drops the flock
}

}  // namespace alertgate::wal
