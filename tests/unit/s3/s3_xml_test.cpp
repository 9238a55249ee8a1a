// ListObjectsV2 answers as S3 (and moto) write them, and keys in URLs.
#include "s3/s3_xml.hpp"

#include <gtest/gtest.h>

namespace firehose::s3 {
namespace {

constexpr std::string_view kTwoObjects = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>2026/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>2026/12/03/16/events-1-2026-12-03-16-00-00-a.gz</Key><LastModified>2026-12-03T16:00:01.000Z</LastModified>
<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1234</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>2026/a &amp; b &lt;c&gt;</Key><LastModified>2026-12-03T16:00:02Z</LastModified><ETag>"x"</ETag><Size>0</Size></Contents>
<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>)";

TEST(S3ListObjectsV2, ReadsEveryObjectAndTheNextToken) {
  auto page = parse_list_objects_v2(kTwoObjects);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "2026/12/03/16/events-1-2026-12-03-16-00-00-a.gz");
  EXPECT_EQ(page->objects[0].size, 1234u);
  EXPECT_EQ(page->objects[0].etag, "\"9b2cf535f27731c974343645a3985328\"");
  EXPECT_EQ(std::chrono::system_clock::to_time_t(page->objects[0].last_modified), 1796313601);
  EXPECT_EQ(page->objects[1].key, "2026/a & b <c>");
  EXPECT_EQ(page->objects[1].size, 0u);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3ListObjectsV2, AnEmptyBucketIsAnEmptyLastPage) {
  auto page = parse_list_objects_v2(
      "<ListBucketResult><Name>b</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys>"
      "<IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->objects.empty());
  EXPECT_FALSE(page->truncated);
}

TEST(S3ListObjectsV2, SomethingElseIsNotAnEmptyBucket) {
  for (std::string_view body :
       {std::string_view("<html><body>Welcome</body></html>"), std::string_view(""),
        std::string_view("<ListBucketResult><Contents><Size>1</Size></Contents>"
                         "<IsTruncated>false</IsTruncated></ListBucketResult>"),
        std::string_view("<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents>"
                         "<IsTruncated>false</IsTruncated></ListBucketResult>"),
        std::string_view("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"),
        std::string_view("<ListBucketResult></ListBucketResult>")}) {
    auto page = parse_list_objects_v2(body);
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(page.error().code, "MalformedResponse");
  }
}

TEST(S3Keys, AreEncodedOnceWithSlashesKept) {
  EXPECT_EQ(encode_key("2026/12/03/events-1.gz"), "2026/12/03/events-1.gz");
  EXPECT_EQ(encode_key("a b+c=d&é"), "a%20b%2Bc%3Dd%26%C3%A9");
  EXPECT_EQ(encode_query_value("logs/2026 x"), "logs%2F2026%20x");
}

}  // namespace
}  // namespace firehose::s3
