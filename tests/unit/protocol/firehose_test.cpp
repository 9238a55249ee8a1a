#include "protocol/firehose.hpp"

#include <sys/resource.h>

#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "firehose/limits.hpp"

namespace firehose::protocol {
namespace {

TEST(StreamName, ValidatesLengthAndCharacters) {
  EXPECT_TRUE(validate_stream_name("a").ok());
  EXPECT_TRUE(validate_stream_name("my_stream.v2-prod").ok());
  EXPECT_TRUE(validate_stream_name(std::string(64, 'x')).ok());
  EXPECT_FALSE(validate_stream_name("").ok());
  EXPECT_FALSE(validate_stream_name(std::string(65, 'x')).ok());
  auto bad = validate_stream_name("has space");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "ValidationException");
  EXPECT_EQ(bad.error().kind, ErrorKind::Client);
  EXPECT_FALSE(validate_stream_name("quote\"").ok());
}

TEST(PutRecordBatchBody, IsValidJsonWithBase64DataAndExactPredictedSize) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    const std::string name = "stream-" + std::to_string(round);
    PutRecordBatchBody body(name);
    PutRecordBatchSize size(name.size());
    std::vector<std::string> records;
    const int n = static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      std::string data(rng() % 300, '\0');
      for (auto& c : data) c = static_cast<char>(rng());
      EXPECT_EQ(body.size_with(data.size()), size.size_with(data.size()));
      const std::size_t predicted = body.size_with(data.size());
      body.add(data);
      size.add(data.size());
      EXPECT_EQ(body.size(), predicted);
      records.push_back(std::move(data));
    }
    const std::size_t expected_size = body.size();
    const std::string text = body.finish();
    EXPECT_EQ(text.size(), expected_size);
    EXPECT_EQ(text.size(), size.size());
    auto json = nlohmann::json::parse(text);
    EXPECT_EQ(json["DeliveryStreamName"], name);
    ASSERT_EQ(json["Records"].size(), records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      auto decoded = aws::crypto::base64_decode(json["Records"][i]["Data"].get<std::string>());
      ASSERT_TRUE(decoded.ok());
      EXPECT_EQ(*decoded, records[i]);
    }
  }
}

TEST(PutRecordBatchBody, ReusableAfterFinish) {
  PutRecordBatchBody body("s");
  body.add("abc");
  EXPECT_EQ(body.record_count(), 1u);
  auto first = body.finish();
  EXPECT_EQ(body.record_count(), 0u);
  body.add("xyz");
  auto second = nlohmann::json::parse(body.finish());
  EXPECT_EQ(second["Records"].size(), 1u);
  EXPECT_EQ(second["Records"][0]["Data"], "eHl6");
}

// A buffer given back after a body keeps that body's size; the next body,
// a little longer, must stay in it while it fits (it was moved to a new one
// twice the size, zero-filled, on every such body).
TEST(PutRecordBatchBody, ABodyLongerThanTheLastOneStaysInTheReusedBuffer) {
  std::string reused;
  reused.reserve(64 * 1024);
  reused.assign(40 * 1024, 'x');  // what finish() leaves: the last body's size, over half the capacity
  const char* memory = reused.data();
  const std::size_t capacity = reused.capacity();
  PutRecordBatchBody body("s", std::move(reused));
  const std::string record(1000, 'r');
  for (int i = 0; i < 40; ++i) body.add(record);  // about 54 KB of body
  const std::string sent = body.finish();
  EXPECT_GT(sent.size(), 50'000u);
  EXPECT_EQ(sent.data(), memory);
  EXPECT_EQ(sent.capacity(), capacity);
  EXPECT_EQ(nlohmann::json::parse(sent)["Records"].size(), 40u);
}

long minor_page_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// Room made for a large body is not written until the body reaches it: the
// builder zero-filled its whole capacity at once, and a 1 KiB-line body
// leaves ~150 KB of its 832 KiB buffer unused, zero-filled and faulted in for
// nothing on every body. 64 MiB is over glibc's largest mmap threshold, so
// the reservation is always a fresh mapping whose pages fault in when touched.
// What the allocator itself touches to reserve it (ASan writes the block's
// shadow: 8 MiB, 2,048 pages) is measured on a plain string and taken off.
TEST(PutRecordBatchBody, RoomReservedIsNotTouchedBeforeTheBodyReachesIt) {
  constexpr std::size_t kRoom = 64u << 20;
  long before = minor_page_faults();
  {
    std::string plain;
    plain.reserve(kRoom);
  }
  const long allocator = minor_page_faults() - before;
  PutRecordBatchBody body("s");
  before = minor_page_faults();
  body.reserve(kRoom);
  const std::string record(1000, 'r');
  for (int i = 0; i < 10; ++i) body.add(record);  // ~13 KB of body
  const long faults = minor_page_faults() - before - allocator;
  // The first 64 KiB step is 16 pages; all 64 MiB were 16,384 (32 huge pages with THP).
  EXPECT_LT(faults, 24) << "the allocator alone: " << allocator;
  EXPECT_EQ(nlohmann::json::parse(body.finish())["Records"].size(), 10u);
}

TEST(PutRecordBody, EncodesDataAsBase64) {
  auto json = nlohmann::json::parse(put_record_body("s", std::string("a\0b\n", 4)));
  EXPECT_EQ(json["DeliveryStreamName"], "s");
  EXPECT_EQ(json["Record"]["Data"], "YQBiCg==");
}

TEST(CreateDeliveryStreamBody, BuildsExtendedS3ConfigurationAndValidates) {
  CreateDeliveryStreamRequest request;
  request.delivery_stream_name = "s";
  request.bucket_arn = "arn:aws:s3:::bucket";
  request.role_arn = "arn:aws:iam::123456789012:role/r";
  request.prefix = "p/";
  request.buffering_hints = BufferingHints{1, 60};
  request.compression_format = "GZIP";
  auto body = create_delivery_stream_body(request);
  ASSERT_TRUE(body.ok()) << body.error().to_string();
  auto json = nlohmann::json::parse(*body);
  EXPECT_EQ(json["DeliveryStreamType"], "DirectPut");
  const auto& s3 = json["ExtendedS3DestinationConfiguration"];
  EXPECT_EQ(s3["BucketARN"], "arn:aws:s3:::bucket");
  EXPECT_EQ(s3["BufferingHints"]["SizeInMBs"], 1);
  EXPECT_EQ(s3["BufferingHints"]["IntervalInSeconds"], 60);
  EXPECT_EQ(s3["CompressionFormat"], "GZIP");
  EXPECT_FALSE(s3.contains("ErrorOutputPrefix"));

  auto bad = request;
  bad.compression_format = "BZIP";
  EXPECT_FALSE(create_delivery_stream_body(bad).ok());
  bad = request;
  bad.buffering_hints = BufferingHints{129, 60};
  EXPECT_FALSE(create_delivery_stream_body(bad).ok());
  bad = request;
  bad.bucket_arn = "bucket";
  EXPECT_EQ(create_delivery_stream_body(bad).error().code, "InvalidArgumentException");
}

TEST(Responses, ParsesPutRecordBatchEntriesInOrder) {
  auto result = parse_put_record_batch_response(
      R"({"FailedPutCount":1,"Encrypted":false,"RequestResponses":[{"RecordId":"a"},)"
      R"({"ErrorCode":"ServiceUnavailableException","ErrorMessage":"Slow down."},{"RecordId":"c"}]})",
      3);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->failed_put_count, 1);
  ASSERT_EQ(result->responses.size(), 3u);
  EXPECT_EQ(result->responses[0].record_id, "a");
  EXPECT_EQ(result->responses[1].error_code, "ServiceUnavailableException");
  EXPECT_EQ(result->responses[1].error_message, "Slow down.");
  EXPECT_TRUE(result->responses[2].ok());
}

TEST(Responses, PutRecordBatchEntriesDecodeEscapesAndSkipUnknownMembers) {
  auto result = parse_put_record_batch_response(
      R"({"Encrypted":true,"Extra":{"nested":[1,2,{"x":null}]},"RequestResponses":[)"
      R"({"RecordId":"a\/b\u00e9","Other":5},{"ErrorCode":"InternalFailure","ErrorMessage":"say \"hi\""}],)"
      R"("FailedPutCount":1})",
      2);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result->encrypted);
  EXPECT_EQ(result->failed_put_count, 1);
  EXPECT_EQ(result->responses[0].record_id, "a/b\xc3\xa9");
  EXPECT_EQ(result->responses[1].error_code, "InternalFailure");
  EXPECT_EQ(result->responses[1].error_message, "say \"hi\"");
}

TEST(Responses, PutRecordBatchRejectsTruncatedAndWronglyTypedAnswers) {
  for (const char* bad :
       {R"({"RequestResponses":[{"RecordId":"a"})", R"({"RequestResponses":{"RecordId":"a"}})",
        R"({"RequestResponses":["a"]})", R"([{"RecordId":"a"}])", R"({"RequestResponses":[{"RecordId":5}]})"}) {
    auto result = parse_put_record_batch_response(bad, 1);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().code, "MalformedResponse") << bad;
  }
}

TEST(Responses, PutRecordBatchAnswerOwnsItsStringsAcrossAMove) {
  auto answer = read_put_record_batch_answer(
      R"({"RequestResponses":[{"RecordId":"abcdefghijklmnopqrstuvwxyz"},{"ErrorCode":"InternalFailure",)"
      R"("ErrorMessage":"say \"hi\""}],"FailedPutCount":1,"Encrypted":true})",
      2);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  PutRecordBatchAnswer moved = std::move(answer).value();
  ASSERT_EQ(moved.responses.size(), 2u);
  EXPECT_EQ(moved.failed_put_count, 1);
  EXPECT_TRUE(moved.encrypted);
  ASSERT_EQ(moved.decoded.size(), 1u);
  const std::string& strings = *moved.decoded.front();
  const char* id = moved.responses[0].record_id.data();
  EXPECT_TRUE(id >= strings.data() && id < strings.data() + strings.size());  // owned by the answer
  EXPECT_EQ(moved.responses[0].record_id, "abcdefghijklmnopqrstuvwxyz");
  EXPECT_EQ(moved.responses[1].error_message, "say \"hi\"");  // decoded, kept by the answer
  EXPECT_EQ(to_result(moved).responses[1].error_code, "InternalFailure");
}

// A sender whose records nobody waits on (the producer's framed batches)
// has the RecordIds checked, not kept: nothing is copied for them, and an
// entry with neither a RecordId nor an ErrorCode is still malformed.
TEST(Responses, PutRecordBatchAnswerWithRecordIdsCheckedKeepsOnlyTheErrors) {
  const std::string text = R"({"RequestResponses":[{"RecordId":"abcdefghijklmnopqrstuvwxyz"},)"
                           R"({"ErrorCode":"ServiceUnavailableException","ErrorMessage":"Slow down."}],"FailedPutCount":1})";
  auto answer = read_put_record_batch_answer(text, 2, RecordIdUse::kChecked);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_EQ(answer->responses.size(), 2u);
  EXPECT_TRUE(answer->responses[0].ok());
  EXPECT_TRUE(answer->responses[0].record_id.empty());
  EXPECT_EQ(answer->responses[1].error_code, "ServiceUnavailableException");
  EXPECT_EQ(answer->responses[1].error_message, "Slow down.");
  EXPECT_EQ(answer->failed_put_count, 1);
  EXPECT_EQ(answer->decoded.front()->find("abcdefghijklmnopqrstuvwxyz"), std::string::npos);

  for (const char* bad : {R"({"RequestResponses":[{}]})", R"({"RequestResponses":[{"RecordId":""}]})",
                          R"({"RequestResponses":[{"RecordId":7}]})"}) {
    auto refused = read_put_record_batch_answer(bad, 1, RecordIdUse::kChecked);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().code, "MalformedResponse") << bad;
  }
}

TEST(Responses, PutRecordBatchAnswerRefusesMoreEntriesThanRecordsSent) {
  auto answer = read_put_record_batch_answer(R"({"RequestResponses":[{"RecordId":"a"},{"RecordId":"b"}]})", 1);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, "MalformedResponse");
}

TEST(Responses, RejectsMalformedAnswers) {
  EXPECT_FALSE(parse_put_record_batch_response("not json", 1).ok());
  EXPECT_FALSE(parse_put_record_batch_response(R"({"RequestResponses":[{"RecordId":"a"}]})", 2).ok());
  EXPECT_FALSE(parse_put_record_batch_response(R"({"RequestResponses":[{}]})", 1).ok());
  EXPECT_FALSE(parse_put_record_response(R"({"Encrypted":true})").ok());
  auto malformed = parse_put_record_response("[]");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, "MalformedResponse");
}

TEST(Responses, ParsesDescribeAndList) {
  auto d = parse_describe_delivery_stream_response(
      R"({"DeliveryStreamDescription":{"DeliveryStreamName":"s","DeliveryStreamARN":"arn","DeliveryStreamStatus":"ACTIVE",)"
      R"("DeliveryStreamType":"DirectPut","VersionId":"1","Destinations":[],"HasMoreDestinations":false}})");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->delivery_stream_status, "ACTIVE");
  const auto raw = nlohmann::json::parse(d->raw_json);  // the whole description, as sent
  EXPECT_EQ(raw["VersionId"], "1");
  EXPECT_EQ(raw["HasMoreDestinations"], false);
  auto l = parse_list_delivery_streams_response(R"({"DeliveryStreamNames":["a","b"],"HasMoreDeliveryStreams":true})");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->delivery_stream_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(l->has_more);
}

}  // namespace
}  // namespace firehose::protocol
