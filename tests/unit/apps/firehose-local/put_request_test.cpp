// PutRecord and PutRecordBatch bodies as firehose-local reads them: the
// records decoded, and bad bodies refused the service's way.
#include "put_request.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "batch_scan.hpp"
#include "core/crypto.hpp"

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

// The batch reader takes the shape clients send without simdjson; for any
// body its answer must be simdjson's: the same records, or the same error.
void expect_same_answer(const std::string& body) {
  SCOPED_TRACE(body.size() > 300 ? body.substr(0, 300) + "..." : body);
  const auto fast = parse_put_record_batch(body);
  const auto dom = parse_put_record_batch_with_simdjson(body);
  ASSERT_EQ(fast.ok(), dom.ok()) << (fast.ok() ? dom.error().to_string() : fast.error().to_string());
  if (!fast.ok()) {
    EXPECT_EQ(fast.error().code, dom.error().code);
    EXPECT_EQ(fast.error().message, dom.error().message);
    EXPECT_EQ(fast.error().kind, dom.error().kind);
    EXPECT_EQ(fast.error().http_status, dom.error().http_status);
    return;
  }
  EXPECT_EQ(fast->stream_name, dom->stream_name);
  EXPECT_EQ(fast->records, dom->records);
  EXPECT_EQ(fast->total_bytes, dom->total_bytes);
}

std::string batch_of(std::size_t records, std::size_t bytes_each) {
  const std::string data = aws::crypto::base64_encode(std::string(bytes_each, 'x'));
  std::string body = R"({"DeliveryStreamName":"s","Records":[)";
  for (std::size_t i = 0; i < records; ++i) body += (i > 0 ? "," : "") + std::string(R"({"Data":")") + data + "\"}";
  return body + "]}";
}

TEST(PutRequest, TheClientsShapeIsReadWithoutSimdjson) {
  ScannedBatch scanned;
  ASSERT_TRUE(scan_canonical_batch(R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ=="},{"Data":"YmM="}]})",
                                   scanned));
  EXPECT_EQ(scanned.stream_name, "s");
  EXPECT_EQ(scanned.records, (std::vector<std::string_view>{"YQ==", "YmM="}));
  ASSERT_TRUE(scan_canonical_batch(" \r\n{ \"Records\" :\t[ { \"Data\" : \"\" } ] , \"DeliveryStreamName\":\"a b\" }\n",
                                   scanned));
  EXPECT_EQ(scanned.stream_name, "a b");
  EXPECT_EQ(scanned.records, (std::vector<std::string_view>{""}));
  for (const char* other : {
           R"({"DeliveryStreamName":"s","Records":[]})",                           // no record
           R"({"DeliveryStreamName":"s"})",                                        // no Records
           R"({"Records":[{"Data":"YQ=="}]})",                                     // no name
           R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ=="}],"X":1})",      // another member
           R"({"DeliveryStreamName":"s","DeliveryStreamName":"t","Records":[{"Data":"YQ=="}]})",  // twice
           R"({"DeliveryStreamName":"s\u0041","Records":[{"Data":"YQ=="}]})",      // an escape
           "{\"DeliveryStreamName\":\"\xc3\xa9\",\"Records\":[{\"Data\":\"YQ==\"}]}",  // not ASCII
           R"({"DeliveryStreamName":null,"Records":[{"Data":"YQ=="}]})",           // null
           R"({"DeliveryStreamName":"s","Records":[{"Data":null}]})",              // null Data
           R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ==","X":1}]})",      // another record member
           R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ=="},]})",           // trailing comma
           R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ=="}]} x)",          // something after
           R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ=="}])",             // cut short
           "\f{\"DeliveryStreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==\"}]}",  // not JSON whitespace
       }) {
    EXPECT_FALSE(scan_canonical_batch(other, scanned)) << other;
  }
}

TEST(PutRequest, TheFastReaderAnswersAsSimdjson) {
  for (const std::string& body : std::vector<std::string>{
           R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ=="},{"Data":"YmM="}]})",
           R"({"Records":[{"Data":""}],"DeliveryStreamName":"stream-1"})",
           R"({"DeliveryStreamName":"a b","Records":[{"Data":"YQ=="}]})",     // fails the name's pattern
           R"({"DeliveryStreamName":"","Records":[{"Data":"YQ=="}]})",        // too short
           R"({"DeliveryStreamName":")" + std::string(65, 'n') + R"(","Records":[{"Data":"YQ=="}]})",
           R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ="}]})",        // bad base64
           R"({"DeliveryStreamName":"s","Records":[{"Data":"Y\/=="}]})",      // an escape in Data
           R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ\"=="}]})",     // an escaped quote
           R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ=="},{"Data":5}]})",
           R"({"DeliveryStreamName":"s","Records":[{"Data":"!!!!"},{"Data":5}]})",
           R"({"DeliveryStreamName":"s","Records":[{"Data":"YQ=="}]} x)",
           R"({"DeliveryStreamName":"s","Records":[]})",
           R"({"DeliveryStreamName":5,"Records":[{"Data":"YQ=="}]})",
           batch_of(500, 1024),
           batch_of(501, 10),                // over the count: the message lists every record
           batch_of(1, 1'024'001),           // one record over its limit
           batch_of(5, 1'000'000),           // over 4 MB together
       }) {
    expect_same_answer(body);
  }
}

// Every byte of a small batch replaced by each of a set of characters: the
// fast reader takes some of the variants and leaves the rest to simdjson,
// and each answer is simdjson's.
TEST(PutRequest, TheFastReaderAnswersAsSimdjsonForEveryOneByteChange) {
  const std::string body = R"({"DeliveryStreamName":"s-1","Records":[{"Data":"YWJj"},{"Data":"ZA=="}]})";
  const std::string replacements = std::string(" \t\n\"\\{}[],:=/+0aAz\x01\x7f\x80\xc3", 22) + std::string(1, '\0');
  int scanned = 0;
  int left_to_simdjson = 0;
  for (std::size_t at = 0; at < body.size(); ++at) {
    for (const char c : replacements) {
      std::string changed = body;
      changed[at] = c;
      ScannedBatch batch;
      ++(scan_canonical_batch(changed, batch) ? scanned : left_to_simdjson);
      expect_same_answer(changed);
      if (HasFatalFailure()) return;
    }
    expect_same_answer(body.substr(0, at));                      // cut short
    expect_same_answer(body.substr(0, at) + body.substr(at + 1));  // one byte left out
    if (HasFatalFailure()) return;
  }
  // Both readers had work (whitespace, names, base64 variants; the rest).
  EXPECT_GT(scanned, 100);
  EXPECT_GT(left_to_simdjson, 1000);
}

TEST(PutRequest, RecordsStayValidWhenTheRequestIsMoved) {
  auto request = parse_put_record_batch(batch_of(3, 100));
  ASSERT_TRUE(request.ok());
  PutRequest moved = std::move(request.value());
  ASSERT_EQ(moved.records.size(), 3u);
  for (std::string_view record : moved.records) EXPECT_EQ(record, std::string(100, 'x'));
}

}  // namespace
}  // namespace firehose::local
