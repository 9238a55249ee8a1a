#pragma once
// POSIX file operations the delivery needs, returning Status instead of
// errno or exceptions (std::filesystem throws by default).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "firehose/result.hpp"

namespace firehose::local {

// A Transient "InternalFailure" error naming the operation, the path and errno.
Error io_error(std::string_view operation, const std::filesystem::path& path, int error_number);

// write(2) until everything is written (short writes, EINTR).
Status write_all(int fd, std::string_view data, const std::filesystem::path& path_for_errors);
// pread(2) exactly `size` bytes at `offset`; an error when the file is shorter.
Status pread_exact(int fd, char* out, std::size_t size, std::uint64_t offset,
                   const std::filesystem::path& path_for_errors);

Status make_directories(const std::filesystem::path& directory);
// fsync(2) on a directory, so that a rename or an unlink inside it is durable.
Status sync_directory(const std::filesystem::path& directory);

// Replaces `path` with `content` atomically: writes `path`.tmp, then rename(2).
// Readers see the old content or the new one, never a mix.
Status replace_file(const std::filesystem::path& path, std::string_view content, bool durable);
// The whole file; nullopt-like NotFound error when it does not exist.
Result<std::string> read_file_content(const std::filesystem::path& path);

bool file_exists(const std::filesystem::path& path);
// unlink(2); a missing file is not an error.
Status remove_file(const std::filesystem::path& path);

// Closes a file descriptor when it goes out of scope.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

}  // namespace firehose::local
