// put_records_in_batches against a Firehose-shaped server on 127.0.0.1 that
// fails chosen records: only those are sent again.
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "aws/crypto.hpp"
#include "aws/http.hpp"
#include "aws/service_client.hpp"
#include "firehose/batch_put.hpp"

namespace firehose {
namespace {

class FixedCredentials final : public CredentialsProvider {
 public:
  Result<Credentials> get() override { return Credentials{"AKIDTEST", "secret", "", std::nullopt, "fixed"}; }
  std::string name() const override { return "fixed"; }
};

// Answers PutRecordBatch; a record whose data starts with "fail<k>:" fails
// with ServiceUnavailableException its first k times, "bad:" fails for good
// with a non-retryable code, "down" makes the whole call a 500.
class FlakyFirehose {
 public:
  FlakyFirehose() {
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~FlakyFirehose() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int sends(const std::string& data) {
    std::lock_guard lock(mutex_);
    return sends_[data];
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  int down_calls_left = 0;

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    ++calls_;
    if (down_calls_left > 0) {
      --down_calls_left;
      res.status = 500;
      res.set_content(R"({"__type":"InternalFailure","message":"down"})", "application/x-amz-json-1.1");
      return;
    }
    auto body = nlohmann::json::parse(req.body);
    nlohmann::json responses = nlohmann::json::array();
    int failed = 0;
    for (const auto& record : body["Records"]) {
      const std::string data = *aws::crypto::base64_decode(record["Data"].get<std::string>());
      const int seen = sends_[data]++;
      int fail_times = 0;
      if (data.rfind("fail", 0) == 0) fail_times = data[4] - '0';
      if (data.rfind("bad:", 0) == 0) {
        responses.push_back({{"ErrorCode", "InvalidArgumentException"}, {"ErrorMessage", "no"}});
        ++failed;
      } else if (seen < fail_times) {
        responses.push_back({{"ErrorCode", "ServiceUnavailableException"}, {"ErrorMessage", "Slow down."}});
        ++failed;
      } else {
        responses.push_back({{"RecordId", "id-" + data}});
      }
    }
    res.set_content(nlohmann::json{{"FailedPutCount", failed}, {"Encrypted", false}, {"RequestResponses", responses}}.dump(),
                    "application/x-amz-json-1.1");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::map<std::string, int> sends_;
  int calls_ = 0;
};

FirehoseClient client_for(const FlakyFirehose& server) {
  auto service = std::make_shared<aws::ServiceClient>(aws::ServiceEndpoint{server.url(), "us-east-1", "firehose"},
                                                      std::make_shared<FixedCredentials>(),
                                                      aws::make_curl_http_client());
  return FirehoseClient(service);
}

const SleepFunction kNoSleep = [](std::chrono::milliseconds) {};

TEST(BatchPut, RetriesOnlyTheFailedRecordsAndKeepsInputOrder) {
  FlakyFirehose server;
  auto client = client_for(server);
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
  FlakyFirehose server;
  auto client = client_for(server);
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
  FlakyFirehose server;
  server.down_calls_left = 2;
  auto client = client_for(server);
  RetryPolicy policy;
  policy.max_attempts = 3;
  auto report = put_records_in_batches(client, "s", {"ok:a", "ok:b"}, policy, kNoSleep);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->result.failed_put_count, 0);
  EXPECT_EQ(server.calls(), 3);
}

TEST(BatchPut, AWholeCallErrorForEveryRecordIsOneError) {
  FlakyFirehose server;
  server.down_calls_left = 100;
  auto client = client_for(server);
  RetryPolicy policy;
  policy.max_attempts = 2;
  auto report = put_records_in_batches(client, "s", {"ok:a"}, policy, kNoSleep);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, "InternalFailure");
  EXPECT_EQ(server.calls(), 2);
}

}  // namespace
}  // namespace firehose
