#pragma once
// Helpers shared by the credentials tests: a scratch directory and config
// files built from text.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "aws/config_file.hpp"
#include "aws/credentials/profile_context.hpp"

namespace firehose::aws::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "firehose-creds-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  std::filesystem::path write(const std::string& name, const std::string& content,
                              std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << content;
    std::filesystem::permissions(file, perms);
    return file;
  }

 private:
  std::filesystem::path path_;
};

inline ConfigFile parse_or_fail(const std::string& text) {
  auto file = ConfigFile::parse(text);
  EXPECT_TRUE(file.ok()) << file.error().to_string();
  return file.ok() ? file.value() : ConfigFile{};
}

// A ProfileContext over in-memory files.
inline ProfileContext profiles(const std::string& config, const std::string& credentials,
                               const std::string& profile = "default") {
  return ProfileContext::from(SharedConfig::from(parse_or_fail(config), parse_or_fail(credentials)), profile);
}

}  // namespace firehose::aws::testing
