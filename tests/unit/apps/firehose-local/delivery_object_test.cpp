// Object naming (keys, prefixes, paths in the data directory) and the
// object writer (plain and gzip content, temp file then rename).
#include <gtest/gtest.h>

#include <regex>

#include "delivery/object_naming.hpp"
#include "delivery/object_writer.hpp"
#include "delivery_test_support.hpp"

namespace firehose::local {
namespace {

using testing::at_unix_seconds;
using testing::kMay1st134507;
using testing::TempDir;

StreamDestination named(std::string prefix, bool gzip = false) {
  StreamDestination d;
  d.stream_name = "my-stream";
  d.version = 3;
  d.bucket = "b";
  d.prefix = std::move(prefix);
  d.gzip = gzip;
  return d;
}

const auto kTime = at_unix_seconds(kMay1st134507);
constexpr std::string_view kUuid = "0f8fad5b-d9cb-469f-a165-70867728950e";

TEST(DeliveryObjectNaming, DefaultTimePrefixWithoutAPrefix) {
  EXPECT_EQ(object_key(named(""), kTime, kUuid, "r"),
            "2024/05/01/13/my-stream-3-2024-05-01-13-45-07-0f8fad5b-d9cb-469f-a165-70867728950e");
}

TEST(DeliveryObjectNaming, PrefixEndingInSlashIsAFolder) {
  EXPECT_EQ(object_key(named("logs/"), kTime, kUuid, "r"),
            "logs/2024/05/01/13/my-stream-3-2024-05-01-13-45-07-0f8fad5b-d9cb-469f-a165-70867728950e");
}

TEST(DeliveryObjectNaming, PrefixWithoutSlashIsGluedToTheTimePrefix) {
  EXPECT_EQ(object_key(named("logs"), kTime, kUuid, "r"),
            "logs2024/05/01/13/my-stream-3-2024-05-01-13-45-07-0f8fad5b-d9cb-469f-a165-70867728950e");
}

TEST(DeliveryObjectNaming, GzipObjectsGetAGzSuffix) {
  EXPECT_EQ(object_key(named("p/", true), kTime, kUuid, "r"),
            "p/2024/05/01/13/my-stream-3-2024-05-01-13-45-07-0f8fad5b-d9cb-469f-a165-70867728950e.gz");
}

TEST(DeliveryObjectNaming, TimesAreUtcOfTheGivenInstant) {
  // 2023-12-31T23:59:59Z
  EXPECT_EQ(object_key(named(""), at_unix_seconds(1704067199), "u", "r"),
            "2023/12/31/23/my-stream-3-2023-12-31-23-59-59-u");
}

TEST(DeliveryObjectNaming, PrefixExpressionsReplaceTheDefaultTimePrefix) {
  EXPECT_EQ(evaluate_prefix("year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/", kTime, "r"),
            "year=2024/month=05/day=01/");
  EXPECT_EQ(evaluate_prefix("dt=!{timestamp:yyyy'-'MM'-'dd}/h=!{timestamp:HH}/", kTime, "r"), "dt=2024-05-01/h=13/");
  EXPECT_EQ(evaluate_prefix("!{timestamp:HH:mm:ss}/", kTime, "r"), "13:45:07/");
  EXPECT_EQ(evaluate_prefix("x/!{firehose:random-string}/", kTime, "abc123"), "x/abc123/");
  EXPECT_EQ(evaluate_prefix("k/!{partitionKeyFromQuery:id}/", kTime, "r"), "k/!{partitionKeyFromQuery:id}/");
}

TEST(DeliveryObjectNaming, RandomIdsLookLikeUuidsAndDiffer) {
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const std::string a = random_uuid(), b = random_uuid();
  EXPECT_TRUE(std::regex_match(a, uuid)) << a;
  EXPECT_TRUE(std::regex_match(b, uuid)) << b;
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::regex_match(random_string(), std::regex("[a-z0-9]{11}")));
}

TEST(DeliveryObjectNaming, PathsStayInsideTheBucketDirectory) {
  const std::filesystem::path root = "/data";
  auto plain = object_file_path(root, "bkt", "a/b/c");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, std::filesystem::path("/data/bkt/a/b/c"));
  auto dots = object_file_path(root, "bkt", "../x/./y//z");
  ASSERT_TRUE(dots.ok());
  EXPECT_EQ(*dots, std::filesystem::path("/data/bkt/%2E%2E/x/%2E/y/z"));
  EXPECT_FALSE(object_file_path(root, "..", "k").ok());
  EXPECT_FALSE(object_file_path(root, "a/b", "k").ok());
  EXPECT_FALSE(object_file_path(root, "", "k").ok());
  EXPECT_FALSE(object_file_path(root, "bkt", "dir/").ok());
}

TEST(DeliveryObjectWriter, WritesPlainContentUnderTempNameThenRenames) {
  TempDir dir;
  const auto final_path = dir.path() / "b" / "2024" / "obj";
  auto writer = ObjectWriter::open(final_path, ObjectWriterOptions{});
  ASSERT_TRUE(writer.ok());
  const auto temp = ObjectWriter::temp_path_for(final_path);
  EXPECT_EQ(temp, dir.path() / "b" / "2024" / ".obj.tmp");
  ASSERT_TRUE((*writer)->append("hello ").ok());
  ASSERT_TRUE((*writer)->append(std::string(3 << 20, 'z')).ok());  // bigger than the internal buffer
  ASSERT_TRUE((*writer)->append(std::string("\0end", 4)).ok());
  EXPECT_TRUE(std::filesystem::exists(temp));
  EXPECT_FALSE(std::filesystem::exists(final_path));
  ASSERT_TRUE((*writer)->commit().ok());
  EXPECT_FALSE(std::filesystem::exists(temp));
  EXPECT_EQ(testing::read_all(final_path), "hello " + std::string(3 << 20, 'z') + std::string("\0end", 4));
}

TEST(DeliveryObjectWriter, GzipContentDecompressesToTheInput) {
  TempDir dir;
  const auto final_path = dir.path() / "obj.gz";
  auto writer = ObjectWriter::open(final_path, ObjectWriterOptions{true, 6, false});
  ASSERT_TRUE(writer.ok());
  std::string expected;
  for (int i = 0; i < 50000; ++i) {
    std::string record = "{\"n\":" + std::to_string(i) + "}\n";
    expected += record;
    ASSERT_TRUE((*writer)->append(record).ok());
  }
  ASSERT_TRUE((*writer)->commit().ok());
  const std::string compressed = testing::read_all(final_path);
  ASSERT_GE(compressed.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(compressed[1]), 0x8b);
  EXPECT_LT(compressed.size(), expected.size());
  EXPECT_EQ(testing::gunzip(compressed), expected);
  EXPECT_EQ(std::system(("gzip -t '" + final_path.string() + "'").c_str()), 0);
}

TEST(DeliveryObjectWriter, EmptyGzipObjectIsAValidGzipStream) {
  TempDir dir;
  auto writer = ObjectWriter::open(dir.path() / "e.gz", ObjectWriterOptions{true, 1, false});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->commit().ok());
  EXPECT_EQ(testing::gunzip(testing::read_all(dir.path() / "e.gz")), "");
}

TEST(DeliveryObjectWriter, AbandonedWriterLeavesNothing) {
  TempDir dir;
  {
    auto writer = ObjectWriter::open(dir.path() / "obj", ObjectWriterOptions{});
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->append("partial").ok());
  }
  EXPECT_TRUE(testing::files_under(dir.path()).empty());
}

}  // namespace
}  // namespace firehose::local
