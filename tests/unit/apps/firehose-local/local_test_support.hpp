#pragma once
// Shared helpers of the firehose-local unit tests.
#include <filesystem>
#include <string>
#include "support/temp_dir.hpp"

namespace firehose::local::testing {

using firehose::testing::TempDir;

inline const char* kRoleArn = "arn:aws:iam::123456789012:role/firehose";
inline const char* kBucketArn = "arn:aws:s3:::bucket";

}  // namespace firehose::local::testing
