// workflow --verify finds firehose-local's objects by the path their keys are
// stored under: the CLI's stored_path_prefix() must agree with the server's
// object_file_path() (one rule, stated twice across two programs, held
// together here).
#include <gtest/gtest.h>

#include <string>

#include "delivery/object_naming.hpp"
#include "workflow_verify.hpp"

namespace firehose::cli {
namespace {

// The stored path of `key` in `bucket`, relative to the data directory.
std::string stored_path(const std::string& bucket, const std::string& key) {
  const auto path = local::object_file_path("/data", bucket, key);
  EXPECT_TRUE(path.ok()) << key;
  return path ? path->lexically_relative("/data").generic_string() : "";
}

TEST(StoredPathPrefix, MatchesWhereFirehoseLocalStoresEachKey) {
  const std::string suffix = "2026/12/07/03/s-1-2026-12-07-03-00-00-uuid";
  for (const std::string prefix : {"", "logs/", "logs", "/abs/", "//a//b/", "../../etc/", "./x/", "a/./b/../c/",
                                   ".hidden/", "..x/", "a/.b"}) {
    const std::string key = prefix + suffix;
    EXPECT_TRUE(stored_path("bucket", key).starts_with(stored_path_prefix("bucket", prefix)))
        << "prefix '" << prefix << "': stored at " << stored_path("bucket", key) << ", looked for under "
        << stored_path_prefix("bucket", prefix);
  }
}

TEST(StoredPathPrefix, KeysOutsideThePrefixDoNotMatch) {
  EXPECT_FALSE(stored_path("bucket", "other/x").starts_with(stored_path_prefix("bucket", "logs/")));
  EXPECT_FALSE(stored_path("bucket2", "logs/x").starts_with(stored_path_prefix("bucket", "logs/")));
  EXPECT_FALSE(stored_path("bucket", "etc/x").starts_with(stored_path_prefix("bucket", "../etc/")));
  EXPECT_EQ(stored_path_prefix("bucket", "/abs/"), "bucket/abs/");
  EXPECT_EQ(stored_path_prefix("bucket", "../x/"), "bucket/%2E%2E/x/");
}

}  // namespace
}  // namespace firehose::cli
