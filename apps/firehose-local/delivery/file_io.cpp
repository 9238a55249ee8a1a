#include "delivery/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace firehose::local {

Error io_error(std::string_view operation, const std::filesystem::path& path, int error_number) {
  return make_error(ErrorKind::Transient, "InternalFailure",
                    fmt::format("{} {}: {}", operation, path.string(), std::strerror(error_number)));
}

Status write_all(int fd, std::string_view data, const std::filesystem::path& path_for_errors) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return io_error("write", path_for_errors, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

Status pread_exact(int fd, char* out, std::size_t size, std::uint64_t offset,
                   const std::filesystem::path& path_for_errors) {
  while (size > 0) {
    const ssize_t got = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      return io_error("read", path_for_errors, errno);
    }
    if (got == 0) {
      return make_error(ErrorKind::Transient, "InternalFailure",
                        fmt::format("read {}: unexpected end of file at {}", path_for_errors.string(), offset));
    }
    out += got;
    size -= static_cast<std::size_t>(got);
    offset += static_cast<std::uint64_t>(got);
  }
  return {};
}

Status make_directories(const std::filesystem::path& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return io_error("mkdir", directory, ec.value());
  return {};
}

Status sync_directory(const std::filesystem::path& directory) {
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return io_error("open", directory, errno);
  if (::fsync(fd.get()) != 0) return io_error("fsync", directory, errno);
  return {};
}

Status replace_file(const std::filesystem::path& path, std::string_view content, bool durable) {
  std::filesystem::path temp = path;
  temp += ".tmp";
  {
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) return io_error("open", temp, errno);
    if (auto written = write_all(fd.get(), content, temp); !written) return written;
    if (durable && ::fsync(fd.get()) != 0) return io_error("fsync", temp, errno);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) return io_error("rename", temp, errno);
  if (durable) return sync_directory(path.parent_path());
  return {};
}

Result<std::string> read_file_content(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return make_error(ErrorKind::Client, "NotFound", path.string() + ": no such file");
    return io_error("open", path, errno);
  }
  std::string content;
  char chunk[4096];
  for (;;) {
    const ssize_t got = ::read(fd.get(), chunk, sizeof chunk);
    if (got < 0) {
      if (errno == EINTR) continue;
      return io_error("read", path, errno);
    }
    if (got == 0) break;
    content.append(chunk, static_cast<std::size_t>(got));
  }
  return content;
}

bool file_exists(const std::filesystem::path& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

Status remove_file(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("unlink", path, errno);
  return {};
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace firehose::local
