#include "firehose_api.hpp"

#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "local_test_support.hpp"
#include "metrics/metrics_store.hpp"

namespace firehose::local {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Delivery that keeps what it is given, to check what was stored.
class KeepingDelivery : public Delivery {
 public:
  void configure(const StreamDestination& d) override { configured.push_back(d); }
  void remove(const std::string& name) override { removed.push_back(name); }
  Status accept(const std::string& name, const std::vector<std::string_view>& records) override {
    if (fail) return make_error(ErrorKind::Transient, "InternalFailure", "disk full");
    for (auto r : records) stored[name].emplace_back(r);
    return {};
  }
  std::vector<std::string> flush_all() override { return {}; }
  void stop() override {}

  std::vector<StreamDestination> configured;
  std::vector<std::string> removed;
  std::map<std::string, std::vector<std::string>> stored;
  bool fail = false;
};

class FirehoseApiTest : public ::testing::Test {
 protected:
  FirehoseApiTest()
      : live_(make_settings()),
        registry_({}, "123456789012", nullptr),
        faults_(1),
        metrics_(store_),
        api_(FirehoseApi::Parts{"us-east-1", "123456789012", live_, registry_, delivery_, quotas_, faults_, counters_,
                                metrics_, nullptr}) {}

  static Settings make_settings() {
    Settings s;
    s.runtime.create_delay = 0ms;
    s.runtime.delete_delay = 0ms;
    return s;
  }

  FirehoseApi::Outcome call(std::string_view operation, const std::string& body) {
    return api_.handle(operation, body);
  }
  json ok(std::string_view operation, const json& body) {
    auto outcome = call(operation, body.dump());
    EXPECT_EQ(outcome.response.status, 200) << operation << ": " << outcome.response.body;
    return json::parse(outcome.response.body);
  }
  // The error code of a call that must fail with `status`.
  std::string raw_error(std::string_view operation, const std::string& body, int status = 400) {
    auto outcome = call(operation, body);
    EXPECT_EQ(outcome.response.status, status) << operation << " " << body << ": " << outcome.response.body;
    const json parsed = json::parse(outcome.response.body);
    last_message_ = parsed.value("message", "");
    // The code is in the body and in x-amzn-ErrorType.
    bool header = false;
    for (const auto& [name, value] : outcome.response.headers)
      header = header || (name == "x-amzn-ErrorType" && value == parsed.at("__type"));
    EXPECT_TRUE(header);
    return parsed.at("__type");
  }
  std::string error(std::string_view operation, const json& body, int status = 400) {
    return raw_error(operation, body.dump(), status);
  }
  void create(const std::string& name) {
    ok("CreateDeliveryStream",
       {{"DeliveryStreamName", name},
        {"ExtendedS3DestinationConfiguration", {{"RoleARN", testing::kRoleArn}, {"BucketARN", testing::kBucketArn}}}});
  }
  static json batch(const std::string& name, const std::vector<std::string>& records) {
    json list = json::array();
    for (const auto& r : records) list.push_back({{"Data", aws::crypto::base64_encode(r)}});
    return {{"DeliveryStreamName", name}, {"Records", list}};
  }

  LiveSettings live_;
  StreamRegistry registry_;
  KeepingDelivery delivery_;
  StreamQuotas quotas_;
  FaultInjector faults_;
  Counters counters_;
  MetricsStore store_;
  FirehoseMetrics metrics_;
  FirehoseApi api_;
  std::string last_message_;
};

TEST_F(FirehoseApiTest, HappyPathStoresRecordsInOrderAndAnswersLikeTheService) {
  create("s");
  ASSERT_EQ(delivery_.configured.size(), 1u);
  EXPECT_EQ(delivery_.configured[0].bucket, "bucket");
  const json put = ok("PutRecord", {{"DeliveryStreamName", "s"}, {"Record", {{"Data", "aGVsbG8="}}}});
  EXPECT_EQ(put.at("RecordId").get<std::string>().size(), 224u);
  EXPECT_EQ(put.at("Encrypted"), false);
  const json b = ok("PutRecordBatch", batch("s", {"a", "", "c"}));
  EXPECT_EQ(b.at("FailedPutCount"), 0);
  ASSERT_EQ(b.at("RequestResponses").size(), 3u);
  EXPECT_NE(b["RequestResponses"][0]["RecordId"], b["RequestResponses"][1]["RecordId"]);
  EXPECT_EQ(delivery_.stored["s"], (std::vector<std::string>{"hello", "a", "", "c"}));
  EXPECT_EQ(counters_.records_stored.load(), 4u);
  EXPECT_EQ(counters_.records_acknowledged.load(), 4u);
}

TEST_F(FirehoseApiTest, UnknownTargetsAndUnimplementedOperations) {
  EXPECT_EQ(raw_error("Frobnicate", "{}"), "UnknownOperationException");
  EXPECT_EQ(raw_error("TagDeliveryStream", "{}"), "InvalidArgumentException");
}

TEST_F(FirehoseApiTest, SerializationErrorsForMalformedBodiesAndTypes) {
  create("s");
  for (const char* op : {"PutRecord", "PutRecordBatch", "DescribeDeliveryStream", "CreateDeliveryStream",
                         "DeleteDeliveryStream", "ListDeliveryStreams"}) {
    EXPECT_EQ(raw_error(op, std::string("{\"DeliveryStreamName\":")), "SerializationException") << op;
    EXPECT_EQ(raw_error(op, std::string("[]")), "SerializationException") << op;
  }
  EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", 5}, {"Record", {{"Data", "YQ=="}}}}),
            "SerializationException");
  EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", "s"}, {"Record", "YQ=="}}), "SerializationException");
  EXPECT_EQ(error("PutRecordBatch", json{{"DeliveryStreamName", "s"}, {"Records", {{"Data", "YQ=="}}}}),
            "SerializationException");
  EXPECT_EQ(error("ListDeliveryStreams", json{{"Limit", "10"}}), "SerializationException");
  EXPECT_EQ(error("DeleteDeliveryStream", json{{"DeliveryStreamName", "s"}, {"AllowForceDelete", "yes"}}),
            "SerializationException");
}

TEST_F(FirehoseApiTest, InvalidBase64IsASerializationException) {
  create("s");
  for (const char* data : {"a", "YQ", "Y Q==", "YQ==YQ==", "YQ=\n=", "****"}) {
    EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", "s"}, {"Record", {{"Data", data}}}}),
              "SerializationException")
        << data;
  }
  EXPECT_TRUE(delivery_.stored.empty());
}

TEST_F(FirehoseApiTest, PutValidationListsEveryViolationInTheServiceWording) {
  create("s");
  EXPECT_EQ(error("PutRecord", json::object()), "ValidationException");
  EXPECT_EQ(last_message_,
            "2 validation errors detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member "
            "must not be null; Value null at 'record' failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", "s"}, {"Record", json::object()}}), "ValidationException");
  EXPECT_NE(last_message_.find("at 'record.data'"), std::string::npos);

  EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", std::string(65, 'a')}, {"Record", {{"Data", "YQ=="}}}}),
            "ValidationException");
  EXPECT_NE(last_message_.find("Member must have length less than or equal to 64"), std::string::npos);
  EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", "a b"}, {"Record", {{"Data", "YQ=="}}}}),
            "ValidationException");
  EXPECT_NE(last_message_.find("Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"), std::string::npos);
  EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", ""}, {"Record", {{"Data", "YQ=="}}}}),
            "ValidationException");
  EXPECT_NE(last_message_.find("greater than or equal to 1"), std::string::npos);
}

TEST_F(FirehoseApiTest, RecordAndBatchLimits) {
  create("s");
  const std::string max_record(1'024'000, 'x');
  EXPECT_EQ(
      ok("PutRecord", {{"DeliveryStreamName", "s"}, {"Record", {{"Data", aws::crypto::base64_encode(max_record)}}}})
          .count("RecordId"),
      1u);
  EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", "s"},
                                    {"Record", {{"Data", aws::crypto::base64_encode(max_record + "x")}}}}),
            "ValidationException");
  EXPECT_EQ(last_message_,
            "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1024001 cap=1024001]' at "
            "'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000");

  EXPECT_EQ(error("PutRecordBatch", batch("s", {"a", max_record + "x", "b", max_record + "yy"})),
            "ValidationException");
  EXPECT_NE(last_message_.find("2 validation errors detected"), std::string::npos);
  EXPECT_NE(last_message_.find("'records.2.member.data'"), std::string::npos);
  EXPECT_NE(last_message_.find("'records.4.member.data'"), std::string::npos);

  EXPECT_EQ(error("PutRecordBatch", batch("s", {})), "ValidationException");
  EXPECT_EQ(ok("PutRecordBatch", batch("s", std::vector<std::string>(500, "r"))).at("RequestResponses").size(), 500u);
  EXPECT_EQ(error("PutRecordBatch", batch("s", std::vector<std::string>(501, "r"))), "ValidationException");
  EXPECT_NE(last_message_.find(
                "at 'records' failed to satisfy constraint: Member must have length less than or equal to 500"),
            std::string::npos);
  EXPECT_EQ(error("PutRecordBatch", json{{"DeliveryStreamName", "s"}}), "ValidationException");

  // 4 MiB of raw data in a batch is the limit (the service measures the records, not the JSON).
  const std::string quarter(1'024'000, 'q');
  const std::string fill(4 * 1024 * 1024 - 4 * 1'024'000, 'f');
  EXPECT_EQ(ok("PutRecordBatch", batch("s", {quarter, quarter, quarter, quarter, fill})).at("FailedPutCount"), 0);
  EXPECT_EQ(error("PutRecordBatch", batch("s", {quarter, quarter, quarter, quarter, fill + "!"})),
            "InvalidArgumentException");
  EXPECT_EQ(last_message_, "Records size exceeds 4 MB limit");
  // Count is checked before size, as the service does.
  EXPECT_EQ(error("PutRecordBatch", batch("s", std::vector<std::string>(501, std::string(10000, 'z')))),
            "ValidationException");
}

TEST_F(FirehoseApiTest, PutsToMissingOrInactiveStreams) {
  EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", "nope"}, {"Record", {{"Data", "YQ=="}}}}),
            "ResourceNotFoundException");
  EXPECT_EQ(last_message_, "Firehose nope under account 123456789012 not found.");
  ASSERT_TRUE(live_.update({{"create-delay", 3600}}).ok());
  create("slow");
  EXPECT_EQ(error("PutRecordBatch", batch("slow", {"a"})), "ResourceNotFoundException");
  EXPECT_EQ(counters_.records_stored.load(), 0u);
}

TEST_F(FirehoseApiTest, CreateValidation) {
  const json s3 = {{"RoleARN", testing::kRoleArn}, {"BucketARN", testing::kBucketArn}};
  EXPECT_EQ(error("CreateDeliveryStream", json::object()), "ValidationException");
  EXPECT_EQ(
      error("CreateDeliveryStream", json{{"DeliveryStreamName", "a b"}, {"ExtendedS3DestinationConfiguration", s3}}),
      "ValidationException");
  EXPECT_EQ(
      error("CreateDeliveryStream", json{{"DeliveryStreamName", "x"},
                                         {"ExtendedS3DestinationConfiguration", {{"BucketARN", testing::kBucketArn}}}}),
      "ValidationException");
  EXPECT_NE(last_message_.find("'extendedS3DestinationConfiguration.roleARN'"), std::string::npos);
  EXPECT_EQ(error("CreateDeliveryStream",
                  json{{"DeliveryStreamName", "x"},
                       {"ExtendedS3DestinationConfiguration", {{"RoleARN", "role"}, {"BucketARN", "arn:aws:s3:::b"}}}}),
            "ValidationException");
  EXPECT_NE(last_message_.find("regular expression pattern"), std::string::npos);
  json hints = s3;
  hints["BufferingHints"] = {{"SizeInMBs", 0}, {"IntervalInSeconds", 901}};
  EXPECT_EQ(
      error("CreateDeliveryStream", json{{"DeliveryStreamName", "x"}, {"ExtendedS3DestinationConfiguration", hints}}),
      "ValidationException");
  EXPECT_NE(last_message_.find("2 validation errors"), std::string::npos);
  EXPECT_NE(last_message_.find("'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs'"), std::string::npos);
  json compression = s3;
  compression["CompressionFormat"] = "LZ4";
  EXPECT_EQ(error("CreateDeliveryStream",
                  json{{"DeliveryStreamName", "x"}, {"ExtendedS3DestinationConfiguration", compression}}),
            "ValidationException");
  EXPECT_NE(last_message_.find("enum value set: [UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY]"), std::string::npos);

  // The service's own rules.
  EXPECT_EQ(error("CreateDeliveryStream", json{{"DeliveryStreamName", "x"}}), "InvalidArgumentException");
  EXPECT_EQ(error("CreateDeliveryStream", json{{"DeliveryStreamName", "x"},
                                               {"ExtendedS3DestinationConfiguration", s3},
                                               {"S3DestinationConfiguration", s3}}),
            "InvalidArgumentException");
  EXPECT_EQ(error("CreateDeliveryStream", json{{"DeliveryStreamName", "x"},
                                               {"DeliveryStreamType", "KinesisStreamAsSource"},
                                               {"ExtendedS3DestinationConfiguration", s3}}),
            "InvalidArgumentException");
  EXPECT_EQ(error("CreateDeliveryStream",
                  json{{"DeliveryStreamName", "x"}, {"HttpEndpointDestinationConfiguration", json::object()}}),
            "InvalidArgumentException");
  EXPECT_EQ(error("CreateDeliveryStream",
                  json{{"DeliveryStreamName", "x"},
                       {"ExtendedS3DestinationConfiguration", s3},
                       {"DeliveryStreamEncryptionConfigurationInput", {{"KeyType", "CUSTOMER_MANAGED_CMK"}}}}),
            "InvalidArgumentException");
  EXPECT_EQ(
      error("CreateDeliveryStream",
            json{{"DeliveryStreamName", "x"}, {"ExtendedS3DestinationConfiguration", s3}, {"Tags", json::array()}}),
      "ValidationException");

  ok("CreateDeliveryStream", {{"DeliveryStreamName", "x"}, {"ExtendedS3DestinationConfiguration", s3}});
  EXPECT_EQ(
      error("CreateDeliveryStream", json{{"DeliveryStreamName", "x"}, {"ExtendedS3DestinationConfiguration", s3}}),
      "ResourceInUseException");
}

TEST_F(FirehoseApiTest, DescribeShowsTheDestinationWithDefaults) {
  ok("CreateDeliveryStream", {{"DeliveryStreamName", "d"},
                              {"ExtendedS3DestinationConfiguration",
                               {{"RoleARN", testing::kRoleArn},
                                {"BucketARN", testing::kBucketArn},
                                {"Prefix", "logs/"},
                                {"BufferingHints", {{"SizeInMBs", 1}}},
                                {"CompressionFormat", "GZIP"}}},
                              {"DeliveryStreamEncryptionConfigurationInput", {{"KeyType", "AWS_OWNED_CMK"}}}});
  const json d = ok("DescribeDeliveryStream", {{"DeliveryStreamName", "d"}}).at("DeliveryStreamDescription");
  EXPECT_EQ(d.at("DeliveryStreamStatus"), "ACTIVE");
  EXPECT_EQ(d.at("DeliveryStreamARN"), "arn:aws:firehose:us-east-1:123456789012:deliverystream/d");
  EXPECT_EQ(d.at("VersionId"), "1");
  EXPECT_EQ(d.at("HasMoreDestinations"), false);
  EXPECT_TRUE(d.at("CreateTimestamp").is_number());
  EXPECT_EQ(d.at("DeliveryStreamEncryptionConfiguration").at("Status"), "ENABLED");
  const json& ext = d.at("Destinations").at(0).at("ExtendedS3DestinationDescription");
  EXPECT_EQ(ext.at("BufferingHints"), (json{{"SizeInMBs", 1}, {"IntervalInSeconds", 300}}));
  EXPECT_EQ(ext.at("CompressionFormat"), "GZIP");
  EXPECT_EQ(ext.at("EncryptionConfiguration"), (json{{"NoEncryptionConfig", "NoEncryption"}}));
  EXPECT_EQ(ext.at("S3BackupMode"), "Disabled");
  EXPECT_EQ(ext.at("Prefix"), "logs/");
  EXPECT_TRUE(d.at("Destinations").at(0).contains("S3DestinationDescription"));
  EXPECT_TRUE(delivery_.configured.back().gzip);
  EXPECT_EQ(delivery_.configured.back().buffer_bytes, 1024u * 1024);

  const json after = ok("DescribeDeliveryStream",
                        {{"DeliveryStreamName", "d"}, {"ExclusiveStartDestinationId", "destinationId-000000000001"}});
  EXPECT_TRUE(after.at("DeliveryStreamDescription").at("Destinations").empty());
  EXPECT_EQ(error("DescribeDeliveryStream", json{{"DeliveryStreamName", "d"}, {"Limit", 0}}), "ValidationException");
  EXPECT_EQ(error("DescribeDeliveryStream", json{{"DeliveryStreamName", "zz"}}), "ResourceNotFoundException");
  // Encrypted streams say so in put answers.
  EXPECT_EQ(ok("PutRecord", {{"DeliveryStreamName", "d"}, {"Record", {{"Data", "YQ=="}}}}).at("Encrypted"), true);
}

TEST_F(FirehoseApiTest, ListPagesInNameOrder) {
  for (const char* name : {"c", "a", "b", "d"}) create(name);
  json page = ok("ListDeliveryStreams", {{"Limit", 2}});
  EXPECT_EQ(page.at("DeliveryStreamNames"), (json{"a", "b"}));
  EXPECT_EQ(page.at("HasMoreDeliveryStreams"), true);
  page = ok("ListDeliveryStreams", {{"Limit", 2}, {"ExclusiveStartDeliveryStreamName", "b"}});
  EXPECT_EQ(page.at("DeliveryStreamNames"), (json{"c", "d"}));
  EXPECT_EQ(page.at("HasMoreDeliveryStreams"), false);
  EXPECT_EQ(ok("ListDeliveryStreams", json::object()).at("DeliveryStreamNames").size(), 4u);
  EXPECT_EQ(ok("ListDeliveryStreams", {{"DeliveryStreamType", "KinesisStreamAsSource"}}).at("DeliveryStreamNames"),
            json::array());
  EXPECT_EQ(error("ListDeliveryStreams", json{{"Limit", 10001}}), "ValidationException");
  EXPECT_EQ(error("ListDeliveryStreams", json{{"DeliveryStreamType", "Other"}}), "ValidationException");
}

TEST_F(FirehoseApiTest, DeleteDeliversBufferedDataAndForgetsTheStream) {
  create("s");
  EXPECT_EQ(ok("DeleteDeliveryStream", {{"DeliveryStreamName", "s"}}), json::object());
  EXPECT_EQ(delivery_.removed, (std::vector<std::string>{"s"}));
  EXPECT_EQ(error("DeleteDeliveryStream", json{{"DeliveryStreamName", "s"}}), "ResourceNotFoundException");
  EXPECT_EQ(error("DeleteDeliveryStream", json::object()), "ValidationException");
}

TEST_F(FirehoseApiTest, ThrottledRecordsGetSlowDownInsideA200) {
  ASSERT_TRUE(live_.update({{"quota-records", 2}}).ok());
  create("s");
  const json b = ok("PutRecordBatch", batch("s", {"1", "2", "3", "4"}));
  EXPECT_EQ(b.at("FailedPutCount"), 2);
  EXPECT_TRUE(b["RequestResponses"][1].contains("RecordId"));
  EXPECT_EQ(b["RequestResponses"][2],
            (json{{"ErrorCode", "ServiceUnavailableException"}, {"ErrorMessage", "Slow down."}}));
  EXPECT_EQ(delivery_.stored["s"], (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(counters_.records_throttled.load(), 2u);
  // PutRecord over quota: the whole call is a 503.
  EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", "s"}, {"Record", {{"Data", "YQ=="}}}}, 503),
            "ServiceUnavailableException");
  EXPECT_EQ(last_message_, "Slow down.");
  EXPECT_EQ(counters_.requests_throttled.load(), 1u);
}

TEST_F(FirehoseApiTest, RequestQuotaThrottlesWholeBatches) {
  ASSERT_TRUE(live_.update({{"quota-requests", 1}}).ok());
  create("s");
  ok("PutRecordBatch", batch("s", {"1"}));
  EXPECT_EQ(raw_error("PutRecordBatch", batch("s", {"2", "3"}).dump(), 503), "ServiceUnavailableException");
  EXPECT_EQ(counters_.records_throttled.load(), 2u);
}

TEST_F(FirehoseApiTest, InjectedRecordFailuresStoreNothingForThoseRecords) {
  ASSERT_TRUE(live_.update({{"fail-records", 1.0}, {"fail-records-code", "InternalFailure"}}).ok());
  create("s");
  const json b = ok("PutRecordBatch", batch("s", {"1", "2"}));
  EXPECT_EQ(b.at("FailedPutCount"), 2);
  EXPECT_EQ(b["RequestResponses"][0].at("ErrorCode"), "InternalFailure");
  EXPECT_TRUE(delivery_.stored["s"].empty());
  EXPECT_EQ(counters_.records_failed_injected.load(), 2u);
  EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", "s"}, {"Record", {{"Data", "YQ=="}}}}, 500),
            "InternalFailure");
}

TEST_F(FirehoseApiTest, InjectedRequestFailuresAndResets) {
  create("s");
  ASSERT_TRUE(live_.update({{"fail-requests", 1.0}, {"fail-requests-status", "500"}}).ok());
  EXPECT_EQ(raw_error("PutRecordBatch", batch("s", {"1"}).dump(), 500), "InternalFailure");
  ASSERT_TRUE(live_.update({{"fail-requests-status", "503"}}).ok());
  EXPECT_EQ(raw_error("PutRecordBatch", batch("s", {"1"}).dump(), 503), "ServiceUnavailableException");
  // Control-plane calls are not subject to faults.
  ok("DescribeDeliveryStream", {{"DeliveryStreamName", "s"}});
  ASSERT_TRUE(live_.update({{"fail-requests", 0}, {"reset-before", 1.0}}).ok());
  EXPECT_TRUE(call("PutRecordBatch", batch("s", {"1"}).dump()).reset_connection);
  EXPECT_TRUE(delivery_.stored["s"].empty());
  ASSERT_TRUE(live_.update({{"reset-before", 0}, {"reset-after", 1.0}}).ok());
  EXPECT_TRUE(call("PutRecordBatch", batch("s", {"1", "2"}).dump()).reset_connection);
  EXPECT_EQ(delivery_.stored["s"], (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(counters_.requests_failed_500.load(), 1u);
  EXPECT_EQ(counters_.requests_failed_503.load(), 1u);
  EXPECT_EQ(counters_.resets_before.load(), 1u);
  EXPECT_EQ(counters_.resets_after.load(), 1u);
  EXPECT_EQ(counters_.records_stored_unacknowledged.load(), 2u);
  EXPECT_EQ(counters_.records_acknowledged.load(), 0u);
}

TEST_F(FirehoseApiTest, StorageFailureIsInternalFailurePerRecord) {
  create("s");
  delivery_.fail = true;
  const json b = ok("PutRecordBatch", batch("s", {"1", "2"}));
  EXPECT_EQ(b.at("FailedPutCount"), 2);
  EXPECT_EQ(b["RequestResponses"][1].at("ErrorCode"), "InternalFailure");
  EXPECT_EQ(error("PutRecord", json{{"DeliveryStreamName", "s"}, {"Record", {{"Data", "YQ=="}}}}, 500),
            "InternalFailure");
}

TEST_F(FirehoseApiTest, SameSeedSameRecordIds) {
  create("s");
  const json first = ok("PutRecordBatch", batch("s", {"1", "2"}));
  FaultInjector other(1);
  FirehoseApi again(FirehoseApi::Parts{"us-east-1", "123456789012", live_, registry_, delivery_, quotas_, other,
                                       counters_, metrics_, nullptr});
  const auto second = json::parse(again.handle("PutRecordBatch", batch("s", {"1", "2"}).dump()).response.body);
  EXPECT_EQ(first.at("RequestResponses"), second.at("RequestResponses"));
}

TEST_F(FirehoseApiTest, MetricsAreRecordedPerStream) {
  ASSERT_TRUE(live_.update({{"quota-records", 2}}).ok());
  create("s");
  ok("PutRecordBatch", batch("s", {"ab", "cd", "ef"}));
  const auto now = std::chrono::system_clock::now();
  auto sum = [&](const char* name) {
    double total = 0;
    for (const auto& p :
         store_.query(MetricKey{"AWS/Firehose", name, {{"DeliveryStreamName", "s"}}}, now - std::chrono::minutes(5),
                      now + std::chrono::minutes(5), std::chrono::seconds(60), now + std::chrono::minutes(5))) {
      total += p.statistics.sum;
    }
    return total;
  };
  EXPECT_EQ(sum("IncomingRecords"), 2);
  EXPECT_EQ(sum("IncomingBytes"), 4);
  EXPECT_EQ(sum("ThrottledRecords"), 1);
  EXPECT_EQ(sum("PutRecordBatch.Requests"), 1);
  EXPECT_EQ(sum("RecordsPerSecondLimit"), 2);
  EXPECT_EQ(sum("BytesPerSecondLimit"), 5 * 1024 * 1024);
}

}  // namespace
}  // namespace firehose::local
