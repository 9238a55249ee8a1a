// The canonical forms in isolation, for the edges the suite and the botocore
// vectors do not reach.
#include "protocol/sigv4_canonical.hpp"

#include <gtest/gtest.h>

namespace firehose::aws::sigv4::detail {
namespace {

using std::chrono::system_clock;

system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

TEST(Sigv4CanonicalUri, NormalisesLikeBotocore) {
  EXPECT_EQ(canonical_uri(""), "/");
  EXPECT_EQ(canonical_uri("/"), "/");
  EXPECT_EQ(canonical_uri("//"), "/");
  EXPECT_EQ(canonical_uri("/a/b/"), "/a/b/");
  EXPECT_EQ(canonical_uri("/a/../../b"), "/b");
  EXPECT_EQ(canonical_uri("/a/./b/.."), "/a");
  EXPECT_EQ(canonical_uri("/a/..."), "/a/...");
}

TEST(Sigv4CanonicalUri, EncodesAllButUnreservedAndSlash) {
  EXPECT_EQ(canonical_uri("/a b/$c:d@e+f"), "/a%20b/%24c%3Ad%40e%2Bf");
  EXPECT_EQ(canonical_uri("/already%2Fencoded"), "/already%252Fencoded");  // SigV4 encodes twice outside S3
  EXPECT_EQ(canonical_uri("/\xe1\x88\xb4"), "/%E1%88%B4");
}

TEST(Sigv4CanonicalQuery, SortsByKeyThenValue) {
  EXPECT_EQ(canonical_query(""), "");
  EXPECT_EQ(canonical_query("b=2&a=1"), "a=1&b=2");
  EXPECT_EQ(canonical_query("Param-3=3&Param=2"), "Param=2&Param-3=3");
  EXPECT_EQ(canonical_query("a=z&a=y&a=Y"), "a=Y&a=y&a=z");
}

TEST(Sigv4CanonicalQuery, DecodesThenEncodesEachPart) {
  EXPECT_EQ(canonical_query("k"), "k=");
  EXPECT_EQ(canonical_query("k="), "k=");
  EXPECT_EQ(canonical_query("a=1&&b=2&"), "a=1&b=2");
  EXPECT_EQ(canonical_query("a=x%2fy"), "a=x%2Fy");
  EXPECT_EQ(canonical_query("a=x/y"), "a=x%2Fy");
  EXPECT_EQ(canonical_query("a=b+c"), "a=b%20c");
  EXPECT_EQ(canonical_query("a=%2B"), "a=%2B");
  EXPECT_EQ(canonical_query("a=b=c"), "a=b%3Dc");
  EXPECT_EQ(canonical_query("a=%zz"), "a=%25zz");  // not an escape: kept as text
  EXPECT_EQ(canonical_query("-._~=-._~"), "-._~=-._~");
}

TEST(Sigv4CanonicalHeaders, TrimsAndCollapsesWhitespace) {
  EXPECT_EQ(canonical_header_value("  a   b\t\tc  "), "a b c");
  EXPECT_EQ(canonical_header_value("value1\n  value2\r\n     value3"), "value1 value2 value3");
  EXPECT_EQ(canonical_header_value(""), "");
  EXPECT_EQ(canonical_header_value(" \t "), "");
}

TEST(Sigv4CanonicalHeaders, JoinsRepeatedHeadersInOrder) {
  const std::vector<HttpHeader> headers = {{"My-Header", " b "}, {"host", "h"}, {"my-header", "a"}, {"MY-HEADER", "c"}};
  EXPECT_EQ(canonical_headers(headers, {"host", "my-header"}), "host:h\nmy-header:b,a,c\n");
  EXPECT_EQ(canonical_headers(headers, {"absent"}), "absent:\n");
}

TEST(Sigv4Dates, FormatsAndParsesAmzDates) {
  EXPECT_EQ(format_amz_date(utc(2015, 8, 30, 12, 36, 0)), "20150830T123600Z");
  EXPECT_EQ(format_amz_date(utc(2024, 2, 29, 23, 59, 59) + std::chrono::milliseconds(999)), "20240229T235959Z");
  EXPECT_EQ(format_amz_date(utc(1999, 12, 31, 0, 0, 7)), "19991231T000007Z");
  EXPECT_EQ(parse_amz_date("20240229T235959Z"), utc(2024, 2, 29, 23, 59, 59));
  for (const char* bad : {"", "20240229T235959", "20230229T000000Z", "20240230T000000Z", "20240101T240000Z",
                          "20240101T006000Z", "2024-01-01T00:00:00Z", "2024010AT000000Z"}) {
    EXPECT_FALSE(parse_amz_date(bad).has_value()) << bad;
  }
}

// Found by fuzzing (tests/fuzz/fuzz_sigv4_verify): a client's date past 2261
// overflowed the nanosecond time point in firehose-local (undefined behaviour).
TEST(Sigv4Dates, DatesATimePointCannotHoldAreRefused) {
  EXPECT_FALSE(parse_amz_date("99991231T000000Z").has_value());
  EXPECT_FALSE(parse_amz_date("24700501T120000Z").has_value());
  EXPECT_FALSE(parse_amz_date("00010101T000000Z").has_value());
  EXPECT_FALSE(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT").has_value());
  EXPECT_EQ(parse_amz_date("22611231T235959Z"), utc(2261, 12, 31, 23, 59, 59));
}

TEST(Sigv4Dates, ParsesHttpDates) {
  EXPECT_EQ(parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"), utc(2015, 8, 30, 12, 36, 0));
  EXPECT_EQ(parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT"), utc(2024, 2, 29, 23, 59, 59));
  for (const char* bad : {"", "Sun, 30 Aug 2015 12:36:00", "Sun, 30 Foo 2015 12:36:00 GMT",
                          "Sunday, 30-Aug-15 12:36:00 GMT", "Sun, 31 Feb 2015 12:36:00 GMT"}) {
    EXPECT_FALSE(parse_http_date(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace firehose::aws::sigv4::detail
