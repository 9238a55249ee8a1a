#pragma once
// One firehose-local per data directory. Two servers sharing one spooled into
// the same files and delivered each other's records (6,000 acknowledged, 3,000
// delivered): the second now refuses to start and names the first. The lock
// is flock(2) on DIR/.lock, held while the process lives and released by the
// kernel however it ends (kill -9 included), so a stale lock file is harmless.
#include <filesystem>

#include "firehose/result.hpp"

namespace firehose::local {

class DataDirLock {
 public:
  // Errors: Config, "DataDirInUse" naming the holder's pid; "InvalidSetting"
  // when the lock file cannot be opened.
  static Result<DataDirLock> acquire(const std::filesystem::path& data_dir);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace firehose::local
