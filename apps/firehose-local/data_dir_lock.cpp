#include "data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

namespace firehose::local {

Result<DataDirLock> DataDirLock::acquire(const std::filesystem::path& data_dir) {
  const std::filesystem::path file = data_dir / ".lock";
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    return make_error(ErrorKind::Config, "InvalidSetting",
                      fmt::format("--data-dir: cannot open {}: {}", file.string(), std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int lock_errno = errno;
    char text[32] = {};
    const ssize_t n = ::pread(fd, text, sizeof(text) - 1, 0);
    ::close(fd);
    if (lock_errno != EWOULDBLOCK) {
      return make_error(ErrorKind::Config, "InvalidSetting",
                        fmt::format("--data-dir: cannot lock {}: {}", file.string(), std::strerror(lock_errno)));
    }
    std::string holder = n > 0 ? std::string(text, static_cast<std::size_t>(n)) : std::string();
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    return make_error(ErrorKind::Config, "DataDirInUse",
                      fmt::format("data directory {} is in use by another firehose-local{} (lock {}); "
                                  "stop it or give this one another --data-dir",
                                  data_dir.string(), holder.empty() ? "" : " (pid " + holder + ")", file.string()));
  }
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The pid only makes the refusal of a second server clearer: the lock holds without it.
  }
  return DataDirLock(fd);
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace firehose::local
