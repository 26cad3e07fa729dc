// DirWatch: calls back when files in a directory change (inotify), debounced: editors and
// `kubectl apply` write in several steps, so the callback runs once the directory has
// been quiet for `quiet` (and at most `quiet` after a burst begins plus `quiet`).
//
// Thread: the control io_context's; start() and the callback run there.
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace alertgate {

class DirWatch {
 public:
  DirWatch(boost::asio::io_context& io, std::chrono::milliseconds quiet,
           std::function<void()> on_change);
  ~DirWatch();
  DirWatch(const DirWatch&) = delete;
  DirWatch& operator=(const DirWatch&) = delete;

  // Watches `dir` (replacing an earlier watch); an error message when inotify refuses.
  std::string watch(const std::filesystem::path& dir);

 private:
  void read();
  void changed();

  boost::asio::posix::stream_descriptor fd_;
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds quiet_;
  std::function<void()> on_change_;
  int wd_ = -1;
  std::array<char, 8192> buffer_{};
  bool reading_ = false;
};

}  // namespace alertgate
