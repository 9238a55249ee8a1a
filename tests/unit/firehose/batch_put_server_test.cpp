// put_records_in_batches against a Firehose-shaped server on 127.0.0.1 that
// fails chosen records: only those are sent again.
#include <gtest/gtest.h>

#include "firehose/batch_put.hpp"
#include "support/scripted_firehose_server.hpp"

namespace firehose {
namespace {

using testing::ScriptedFirehoseServer;

const SleepFunction kNoSleep = [](std::chrono::milliseconds) {};

TEST(BatchPut, RetriesOnlyTheFailedRecordsAndKeepsInputOrder) {
  ScriptedFirehoseServer server;
  auto client_ptr = server.client();
  const auto& client = *client_ptr;
  std::vector<std::string> records;
  for (int i = 0; i < 1200; ++i) {
    records.push_back((i % 7 == 0 ? "fail1:" : i % 11 == 0 ? "fail2:" : "ok:") + std::to_string(i));
  }
  RetryPolicy policy;
  policy.max_attempts = 3;
  auto report = put_records_in_batches(client, "s", records, policy, kNoSleep);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->result.failed_put_count, 0);
  ASSERT_EQ(report->result.responses.size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(report->result.responses[i].record_id, "id-" + records[i]);
    const int expected_sends = records[i].rfind("fail1", 0) == 0 ? 2 : records[i].rfind("fail2", 0) == 0 ? 3 : 1;
    EXPECT_EQ(server.sends(records[i]), expected_sends) << records[i];
  }
}

TEST(BatchPut, ReportsRecordsThatFailForGoodOrRunOutOfAttempts) {
  ScriptedFirehoseServer server;
  auto client_ptr = server.client();
  const auto& client = *client_ptr;
  std::vector<std::string> records = {"ok:1", "bad:2", "fail3:3", "ok:4"};
  RetryPolicy policy;
  policy.max_attempts = 3;
  auto report = put_records_in_batches(client, "s", records, policy, kNoSleep);
  ASSERT_TRUE(report.ok());
  const auto& r = report->result.responses;
  EXPECT_EQ(report->result.failed_put_count, 2);
  EXPECT_TRUE(r[0].ok());
  EXPECT_EQ(r[1].error_code, "InvalidArgumentException");
  EXPECT_EQ(server.sends("bad:2"), 1);  // not retryable: sent once
  EXPECT_EQ(r[2].error_code, "ServiceUnavailableException");
  EXPECT_EQ(server.sends("fail3:3"), 3);  // every attempt used
  EXPECT_TRUE(r[3].ok());
}

TEST(BatchPut, RetriesWholeCallFailures) {
  ScriptedFirehoseServer server;
  server.set_down_calls(2);
  auto client_ptr = server.client();
  const auto& client = *client_ptr;
  RetryPolicy policy;
  policy.max_attempts = 3;
  auto report = put_records_in_batches(client, "s", {"ok:a", "ok:b"}, policy, kNoSleep);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->result.failed_put_count, 0);
  EXPECT_EQ(server.calls(), 3);
}

TEST(BatchPut, AWholeCallErrorForEveryRecordIsOneError) {
  ScriptedFirehoseServer server;
  server.set_down_calls(100);
  auto client_ptr = server.client();
  const auto& client = *client_ptr;
  RetryPolicy policy;
  policy.max_attempts = 2;
  auto report = put_records_in_batches(client, "s", {"ok:a"}, policy, kNoSleep);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, "InternalFailure");
  EXPECT_EQ(server.calls(), 2);
}

}  // namespace
}  // namespace firehose
