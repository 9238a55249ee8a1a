#pragma once
// A fresh directory under the system temp directory, removed with the
// object: the one temporary-directory helper of the unit tests (each suite
// had its own, and two of them, in one namespace, broke the one-definition
// rule).
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace firehose::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "firehose-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` in the directory (not created).
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `content` to `name` with these permissions; returns its path.
  std::filesystem::path write(const std::string& name, const std::string& content,
                              std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write) const {
    const auto path = path_ / name;
    std::ofstream(path, std::ios::binary) << content;
    std::filesystem::permissions(path, perms);
    return path;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace firehose::testing
