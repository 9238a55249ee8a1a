// PutRecord and PutRecordBatch bodies as firehose-local reads them: the
// records decoded, and bad bodies refused the service's way.
#include "put_request.hpp"

#include <gtest/gtest.h>

#include <string>

namespace firehose::local {
namespace {

TEST(PutRequest, ReadsABatch) {
  auto request = parse_put_record_batch(R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ=="},{"Data":"YmM="}]})");
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_EQ(request->stream_name, "s");
  ASSERT_EQ(request->records.size(), 2u);
  EXPECT_EQ(request->records[0], "a");
  EXPECT_EQ(request->records[1], "bc");
  EXPECT_EQ(request->total_bytes, 3u);
}

// The server leaves the depth limit of the put path to this parser: a body
// nested deeper than 64 levels gets the same answer as on the other paths.
TEST(PutRequest, RefusesABodyNestedDeeperThanTheLimit) {
  for (int levels : {65, 200'000}) {
    const std::string nested = std::string(levels, '[') + std::string(levels, ']');
    for (const std::string& body : {R"({"DeliveryStreamName":"s","Records":)" + nested + "}",
                                    R"({"DeliveryStreamName":"s","Record":{"Data":)" + nested + "}}"}) {
      auto request = body.find("Records") != std::string::npos ? parse_put_record_batch(body) : parse_put_record(body);
      ASSERT_FALSE(request.ok()) << levels;
      EXPECT_EQ(request.error().code, "SerializationException");
      EXPECT_NE(request.error().message.find("deeper than 64 levels"), std::string::npos) << request.error().message;
    }
  }
}

TEST(PutRequest, ShallowNestingIsATypeErrorNotTooDeep) {
  const std::string nested = std::string(20, '[') + std::string(20, ']');
  auto request = parse_put_record_batch(R"({"DeliveryStreamName":"s","Records":[{"Data":)" + nested + "}]}");
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().code, "SerializationException");
  EXPECT_EQ(request.error().message.find("deeper"), std::string::npos) << request.error().message;
}

}  // namespace
}  // namespace firehose::local
