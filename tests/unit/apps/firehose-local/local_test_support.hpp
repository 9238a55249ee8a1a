#pragma once
// Shared helpers of the firehose-local unit tests.
#include <filesystem>
#include <random>
#include <string>

namespace firehose::local::testing {

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ =
        std::filesystem::temp_directory_path() / ("firehose-local-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline const char* kRoleArn = "arn:aws:iam::123456789012:role/firehose";
inline const char* kBucketArn = "arn:aws:s3:::bucket";

}  // namespace firehose::local::testing
