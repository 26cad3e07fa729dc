#include "dir_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace alertgate {

DirWatch::DirWatch(boost::asio::io_context& io, std::chrono::milliseconds quiet,
                   std::function<void()> on_change)
    : fd_(io), timer_(io), quiet_(quiet), on_change_(std::move(on_change)) {
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd >= 0) fd_.assign(fd);
}

DirWatch::~DirWatch() {
  boost::system::error_code ec;
  fd_.close(ec);
}

std::string DirWatch::watch(const std::filesystem::path& dir) {
  if (!fd_.is_open()) return std::string("inotify_init1: ") + std::strerror(errno);
  if (wd_ >= 0) inotify_rm_watch(fd_.native_handle(), wd_);
  // Directory entries: written files, renames into it (atomic saves, Kubernetes ConfigMap
  // symlink swaps), deletions and new files.
  constexpr std::uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                  IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
  wd_ = inotify_add_watch(fd_.native_handle(), dir.c_str(), kMask);
  if (wd_ < 0) return "inotify_add_watch " + dir.string() + ": " + std::strerror(errno);
  if (!reading_) {
    reading_ = true;
    read();
  }
  return {};
}

void DirWatch::read() {
  fd_.async_read_some(boost::asio::buffer(buffer_),
                      [this](boost::system::error_code ec, std::size_t) {
                        if (ec) {
                          reading_ = false;
                          return;  // closed (shutdown)
                        }
                        changed();
                        read();
                      });
}

void DirWatch::changed() {
  // Restart the quiet period at every event: the callback sees the finished state.
  timer_.expires_after(quiet_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_change_();
  });
}

}  // namespace alertgate
