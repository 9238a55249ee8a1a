#include "protocol/http.hpp"

#include <gtest/gtest.h>

namespace firehose::aws {
namespace {

TEST(HttpRequest, HeaderLookupIgnoresCase) {
  HttpRequest request;
  request.headers = {{"X-Amz-Target", "Firehose_20150804.PutRecordBatch"}, {"content-type", "a"}};
  ASSERT_NE(request.header("x-amz-target"), nullptr);
  EXPECT_EQ(*request.header("x-amz-target"), "Firehose_20150804.PutRecordBatch");
  ASSERT_NE(request.header("Content-Type"), nullptr);
  EXPECT_EQ(*request.header("Content-Type"), "a");
  EXPECT_EQ(request.header("Content-Length"), nullptr);
  EXPECT_EQ(request.header("X-Amz-Targe"), nullptr);  // a prefix is not a match
}

TEST(HttpRequest, SetHeaderReplacesEveryDuplicateInPlace) {
  HttpRequest request;
  request.headers = {{"A", "1"}, {"x-amz-date", "old"}, {"B", "2"}, {"X-AMZ-DATE", "older"}};
  request.set_header("X-Amz-Date", "20150830T123600Z");
  ASSERT_EQ(request.headers.size(), 3u);
  EXPECT_EQ(request.headers[0].name, "A");
  EXPECT_EQ(request.headers[1].name, "X-Amz-Date");  // the caller's spelling, first position kept
  EXPECT_EQ(request.headers[1].value, "20150830T123600Z");
  EXPECT_EQ(request.headers[2].name, "B");

  request.set_header("Authorization", "x");
  ASSERT_EQ(request.headers.size(), 4u);
  EXPECT_EQ(request.headers.back().name, "Authorization");
}

TEST(HttpResponse, HeaderLookupIgnoresCase) {
  HttpResponse response;
  response.headers = {{"x-amzn-requestid", "abc"}};
  ASSERT_NE(response.header("X-Amzn-RequestId"), nullptr);
  EXPECT_EQ(*response.header("X-Amzn-RequestId"), "abc");
  EXPECT_EQ(response.header("x-amz-id-2"), nullptr);
}

}  // namespace
}  // namespace firehose::aws
