// DirLock: which process owns a WAL shard directory. An exclusive flock() on dir/LOCK,
// held for the life of the object and dropped by the kernel when the process dies (kill -9
// included), so a directory whose lock can be taken has no live owner: its log can be
// replayed and adopted.
//
// Used so that two processes on the same data_dir (a zero-downtime restart: the new one
// starts while the old one drains) never write or replay each other's live logs.
// Any thread; blocking file calls (control thread only in the app).
#pragma once

#include <filesystem>
#include <optional>

#include "alertgate/result.hpp"

namespace alertgate::wal {

class DirLock {
 public:
  // Takes the lock without waiting. nullopt: another process holds it, or `dir` vanished
  // while we locked it (an adopter removed it). Errors: the lock file cannot be created.
  static Result<std::optional<DirLock>> try_lock(const std::filesystem::path& dir);

  DirLock(DirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirLock& operator=(DirLock&& other) noexcept;
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  ~DirLock();

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace alertgate::wal
