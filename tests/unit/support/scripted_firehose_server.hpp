#pragma once
// A Firehose-shaped HTTP server on 127.0.0.1 for unit tests of the sending
// logic: it answers PutRecordBatch (JSON 1.1, any signature) and fails
// records by a script written into their data:
//   "fail<k>:..."  fails with ServiceUnavailableException ("Slow down.") its first k sends
//   "bad:..."      fails for good (InvalidArgumentException)
// and whole calls: `down_calls` answers 500 InternalFailure; `missing_stream`
// answers 400 ResourceNotFoundException; `stall` holds each answer until released.
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "aws/service_client.hpp"
#include "core/crypto.hpp"
#include "firehose/credentials.hpp"
#include "firehose/firehose_client.hpp"
#include "protocol/http.hpp"

namespace firehose::testing {

class FixedCredentials final : public CredentialsProvider {
 public:
  Result<Credentials> get() override { return Credentials{"AKIDTEST", "secret", "", std::nullopt, "fixed"}; }
  std::string name() const override { return "fixed"; }
};

class ScriptedFirehoseServer {
 public:
  ScriptedFirehoseServer() {
    server_.new_task_queue = [] { return new httplib::ThreadPool(32); };
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~ScriptedFirehoseServer() {
    release();
    server_.stop();
    thread_.join();
  }
  ScriptedFirehoseServer(const ScriptedFirehoseServer&) = delete;
  ScriptedFirehoseServer& operator=(const ScriptedFirehoseServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Sends of a record with this data, and how many were acknowledged.
  int sends(const std::string& data) {
    std::lock_guard lock(mutex_);
    return sends_[data];
  }
  int acknowledged(const std::string& data) {
    std::lock_guard lock(mutex_);
    return acks_[data];
  }
  std::map<std::string, int> all_acknowledged() {
    std::lock_guard lock(mutex_);
    return acks_;
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  int largest_batch() {
    std::lock_guard lock(mutex_);
    return largest_batch_;
  }
  void set_down_calls(int n) {
    std::lock_guard lock(mutex_);
    down_calls_ = n;
  }
  void set_missing_stream(bool missing) {
    std::lock_guard lock(mutex_);
    missing_stream_ = missing;
  }
  void set_stall(bool stall) {
    std::lock_guard lock(mutex_);
    stall_ = stall;
  }
  // Each answer closes its connection, so that destroying the server does
  // not wait out httplib's keep-alive timeout (5 s) for an idle one.
  void set_close_connections(bool close) {
    std::lock_guard lock(mutex_);
    close_connections_ = close;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      stall_ = false;
    }
    unstall_.notify_all();
  }

  // A FirehoseClient pointed at this server.
  std::shared_ptr<FirehoseClient> client(aws::HttpOptions http = {}) const {
    auto service =
        std::make_shared<aws::ServiceClient>(aws::ServiceEndpoint{url(), "us-east-1", "firehose"},
                                             std::make_shared<FixedCredentials>(), aws::make_curl_http_client(http));
    return std::make_shared<FirehoseClient>(service);
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mutex_);
    ++calls_;
    unstall_.wait(lock, [&] { return !stall_; });
    if (close_connections_) res.set_header("Connection", "close");
    if (missing_stream_) {
      res.status = 400;
      res.set_content(R"({"__type":"ResourceNotFoundException","message":"Firehose stream s not found."})",
                      "application/x-amz-json-1.1");
      return;
    }
    if (down_calls_ > 0) {
      --down_calls_;
      res.status = 500;
      res.set_content(R"({"__type":"InternalFailure","message":"down"})", "application/x-amz-json-1.1");
      return;
    }
    auto body = nlohmann::json::parse(req.body);
    nlohmann::json responses = nlohmann::json::array();
    int failed = 0;
    largest_batch_ = std::max(largest_batch_, static_cast<int>(body["Records"].size()));
    for (const auto& record : body["Records"]) {
      const std::string data = aws::crypto::base64_decode(record["Data"].get<std::string>()).value();
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
        ++acks_[data];
        responses.push_back({{"RecordId", "id-" + data}});
      }
    }
    res.set_content(
        nlohmann::json{{"FailedPutCount", failed}, {"Encrypted", false}, {"RequestResponses", responses}}.dump(),
        "application/x-amz-json-1.1");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable unstall_;
  std::map<std::string, int> sends_;
  std::map<std::string, int> acks_;
  int calls_ = 0;
  int largest_batch_ = 0;
  int down_calls_ = 0;
  bool missing_stream_ = false;
  bool stall_ = false;
  bool close_connections_ = false;
};

}  // namespace firehose::testing
