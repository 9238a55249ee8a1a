// firehose-local over real HTTP, in-process on a free loopback port: routing,
// signature checks, request ids, the control API, injected resets as a client
// sees them, bodies as they arrive on the wire, and a clean stop.
#include "local_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "local_test_support.hpp"
#include "protocol/sigv4.hpp"

namespace firehose::local {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kKey = "AKIDLOCALTEST";
constexpr const char* kSecret = "local-test-secret";

class RunningServer {
 public:
  explicit RunningServer(Settings settings) {
    auto started = LocalServer::start(std::move(settings));
    if (!started.ok()) {
      ADD_FAILURE() << started.error().message;
      return;
    }
    server_ = std::move(started.value());
    thread_ = std::thread([this] { server_->run(); });
  }
  ~RunningServer() {
    if (server_) {
      server_->shutdown();
      thread_.join();
    }
  }
  LocalServer& operator*() { return *server_; }
  LocalServer* operator->() { return server_.get(); }

 private:
  std::unique_ptr<LocalServer> server_;
  std::thread thread_;
};

class LocalServerTest : public ::testing::Test {
 protected:
  Settings settings() {
    Settings s;
    s.port = 0;
    s.data_dir = dir_.path();
    s.seed = 5;
    s.threads = 8;
    s.runtime.create_delay = 0ms;
    s.credentials = {{kKey, kSecret}};
    s.log_level = "off";
    return s;
  }

  // A Firehose call signed with `secret` at `when`, sent with httplib.
  httplib::Result call(LocalServer& server, const std::string& operation, const json& body,
                       const std::string& secret = kSecret,
                       std::chrono::system_clock::time_point when = std::chrono::system_clock::now(),
                       const std::string& region = "us-east-1", const std::string& target = "/") {
    return call_at(server.url(), operation, body, secret, when, region, target);
  }

  // The same against a URL read beforehand (for calls from other threads).
  httplib::Result call_at(const std::string& base_url, const std::string& operation, const json& body,
                          const std::string& secret = kSecret,
                          std::chrono::system_clock::time_point when = std::chrono::system_clock::now(),
                          const std::string& region = "us-east-1", const std::string& target = "/") {
    aws::HttpRequest request;
    request.url = base_url + target;
    request.headers = {{"X-Amz-Target", "Firehose_20150804." + operation},
                       {"Content-Type", "application/x-amz-json-1.1"}};
    request.body = body.dump();
    Credentials credentials{kKey, secret, "", std::nullopt, "test"};
    EXPECT_TRUE(aws::sigv4::sign_request(request, credentials, region, "firehose", when).ok());
    httplib::Headers headers;
    for (const auto& h : request.headers) {
      if (h.name != "Content-Type") headers.emplace(h.name, h.value);
    }
    httplib::Client client("127.0.0.1", std::stoi(base_url.substr(base_url.rfind(':') + 1)));
    client.set_read_timeout(10, 0);
    return client.Post(target.c_str(), headers, request.body, "application/x-amz-json-1.1");
  }

  static json stream_request(const std::string& name) {
    return {
        {"DeliveryStreamName", name},
        {"ExtendedS3DestinationConfiguration", {{"RoleARN", testing::kRoleArn}, {"BucketARN", testing::kBucketArn}}}};
  }

  testing::TempDir dir_;
};

TEST_F(LocalServerTest, SignedRequestsAreServedWithARequestId) {
  RunningServer server(settings());
  auto created = call(*server, "CreateDeliveryStream", stream_request("s"));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 200) << created->body;
  EXPECT_EQ(created->get_header_value("x-amzn-RequestId").size(), 36u);
  EXPECT_EQ(created->get_header_value("Content-Type"), "application/x-amz-json-1.1");
  auto put = call(*server, "PutRecord", {{"DeliveryStreamName", "s"}, {"Record", {{"Data", "aGk="}}}});
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 200) << put->body;
  EXPECT_NE(put->get_header_value("x-amzn-RequestId"), created->get_header_value("x-amzn-RequestId"));
}

TEST_F(LocalServerTest, SignaturesCoverThePathAndQueryAsSent) {
  RunningServer server(settings());
  // Percent-encoding must reach the verifier untouched: decoding it would change the canonical request.
  auto r = call(*server, "ListDeliveryStreams", json::object(), kSecret, std::chrono::system_clock::now(), "us-east-1",
                "/some%20path/%7Eu?b=2&a=%2F&c");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(LocalServerTest, WrongMissingExpiredAndMisscopedSignaturesAreRefused) {
  RunningServer server(settings());
  auto code = [](const httplib::Result& r) {
    EXPECT_TRUE(r);
    if (!r) return std::string();
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(r->get_header_value("x-amzn-ErrorType"), json::parse(r->body).at("__type"));
    return json::parse(r->body).at("__type").get<std::string>();
  };
  EXPECT_EQ(code(call(*server, "ListDeliveryStreams", json::object(), "wrong-secret")), "InvalidSignatureException");
  EXPECT_EQ(
      code(call(*server, "ListDeliveryStreams", json::object(), kSecret, std::chrono::system_clock::now() - 6min)),
      "InvalidSignatureException");
  EXPECT_EQ(
      code(call(*server, "ListDeliveryStreams", json::object(), kSecret, std::chrono::system_clock::now() + 6min)),
      "InvalidSignatureException");
  EXPECT_EQ(code(call(*server, "ListDeliveryStreams", json::object(), kSecret, std::chrono::system_clock::now(),
                      "eu-west-1")),
            "InvalidSignatureException");
  httplib::Client client("127.0.0.1", server->port());
  auto unsigned_call = client.Post("/", httplib::Headers{{"X-Amz-Target", "Firehose_20150804.ListDeliveryStreams"}},
                                   "{}", "application/x-amz-json-1.1");
  EXPECT_EQ(code(unsigned_call), "MissingAuthenticationTokenException");
  EXPECT_EQ(server->counters().auth_failures.load(), 5u);
}

TEST_F(LocalServerTest, WithoutCredentialsUnsignedRequestsPassButMalformedAuthorizationDoesNot) {
  Settings s = settings();
  s.credentials.clear();
  RunningServer server(s);
  httplib::Client client("127.0.0.1", server->port());
  auto plain = client.Post("/", httplib::Headers{{"X-Amz-Target", "Firehose_20150804.ListDeliveryStreams"}}, "{}",
                           "application/x-amz-json-1.1");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
  auto any_key = call(*server, "ListDeliveryStreams", json::object(), "any-secret");
  ASSERT_TRUE(any_key);
  EXPECT_EQ(any_key->status, 200);
  auto malformed = client.Post("/",
                               httplib::Headers{{"X-Amz-Target", "Firehose_20150804.ListDeliveryStreams"},
                                                {"Authorization", "AWS4-HMAC-SHA256 Credential=x"}},
                               "{}", "application/x-amz-json-1.1");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_EQ(json::parse(malformed->body).at("__type"), "IncompleteSignatureException");
}

TEST_F(LocalServerTest, UnknownTargetsAndPaths) {
  Settings s = settings();
  s.credentials.clear();
  RunningServer server(s);
  httplib::Client client("127.0.0.1", server->port());
  auto none = client.Post("/", "{}", "application/x-amz-json-1.1");
  ASSERT_TRUE(none);
  EXPECT_EQ(json::parse(none->body).at("__type"), "UnknownOperationException");
  auto other = client.Post("/", httplib::Headers{{"X-Amz-Target", "Kinesis_20131202.PutRecord"}}, "{}",
                           "application/x-amz-json-1.1");
  ASSERT_TRUE(other);
  EXPECT_EQ(json::parse(other->body).at("__type"), "UnknownOperationException");
  auto get = client.Get("/nothing-here");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 404);
  EXPECT_FALSE(get->get_header_value("x-amzn-RequestId").empty());
  EXPECT_TRUE(json::parse(get->body).contains("__type"));
  // GET / is the web console's page (test_console has the rest).
  auto console = client.Get("/");
  ASSERT_TRUE(console);
  EXPECT_EQ(console->status, 200);
  EXPECT_FALSE(console->get_header_value("Content-Security-Policy").empty());
}

TEST_F(LocalServerTest, ControlApiChangesSettingsAndCounts) {
  RunningServer server(settings());
  httplib::Client control("127.0.0.1", server->port());
  auto health = control.Get("/_local/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body).at("status"), "ok");

  auto bad = control.Post("/_local/settings", R"({"fail-records": 3})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(json::parse(bad->body).at("error").get<std::string>().find("--fail-records"), std::string::npos);
  auto startup = control.Post("/_local/settings", R"({"port": 1})", "application/json");
  ASSERT_TRUE(startup);
  EXPECT_EQ(startup->status, 400);

  auto changed = control.Post("/_local/settings", R"({"fail-records": 1, "fail-records-code": "InternalFailure"})",
                              "application/json");
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);
  EXPECT_EQ(json::parse(changed->body).at("fail-records"), 1.0);
  EXPECT_EQ(json::parse(control.Get("/_local/settings")->body).at("fail-records-code"), "InternalFailure");

  ASSERT_EQ(call(*server, "CreateDeliveryStream", stream_request("s"))->status, 200);
  auto batch = call(*server, "PutRecordBatch",
                    {{"DeliveryStreamName", "s"}, {"Records", json::array({{{"Data", "YQ=="}}, {{"Data", "Yg=="}}})}});
  ASSERT_TRUE(batch);
  EXPECT_EQ(json::parse(batch->body).at("FailedPutCount"), 2);
  const json counters = json::parse(control.Get("/_local/counters")->body);
  EXPECT_EQ(counters.at("records_failed_injected"), 2);
  EXPECT_EQ(counters.at("records_received"), 2);
  EXPECT_EQ(counters.at("records_stored"), 0);

  auto reset = control.Post("/_local/counters/reset", "", "application/json");
  ASSERT_TRUE(reset);
  EXPECT_EQ(json::parse(reset->body).at("records_received"), 0);
  auto flush = control.Post("/_local/flush", "", "application/json");
  ASSERT_TRUE(flush);
  EXPECT_EQ(flush->status, 200);
  EXPECT_EQ(control.Get("/_local/nothing")->status, 404);
  EXPECT_EQ(control.Post("/_local/health", "", "application/json")->status, 405);
}

TEST_F(LocalServerTest, ResetAfterStoresButTheClientGetsNoAnswer) {
  RunningServer server(settings());
  ASSERT_EQ(call(*server, "CreateDeliveryStream", stream_request("s"))->status, 200);
  ASSERT_TRUE(server->settings().update({{"reset-after", 1.0}}).ok());
  auto lost =
      call(*server, "PutRecordBatch", {{"DeliveryStreamName", "s"}, {"Records", json::array({{{"Data", "YQ=="}}})}});
  EXPECT_FALSE(lost) << "an answer arrived: " << (lost ? lost->body : "");
  EXPECT_EQ(server->counters().resets_after.load(), 1u);
  EXPECT_EQ(server->counters().records_stored_unacknowledged.load(), 1u);

  ASSERT_TRUE(server->settings().update({{"reset-after", 0}, {"reset-before", 1.0}}).ok());
  auto dropped = call(*server, "PutRecord", {{"DeliveryStreamName", "s"}, {"Record", {{"Data", "YQ=="}}}});
  EXPECT_FALSE(dropped);
  EXPECT_EQ(server->counters().resets_before.load(), 1u);
  EXPECT_EQ(server->counters().records_stored.load(), 1u);
  // The server is still fine afterwards.
  ASSERT_TRUE(server->settings().update({{"reset-before", 0}}).ok());
  auto fine = call(*server, "PutRecord", {{"DeliveryStreamName", "s"}, {"Record", {{"Data", "YQ=="}}}});
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
}

TEST_F(LocalServerTest, KeepAliveConnectionServesManyRequests) {
  Settings s = settings();
  s.credentials.clear();
  RunningServer server(s);
  httplib::Client client("127.0.0.1", server->port());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  for (int i = 0; i < 50; ++i) {
    auto r = client.Post("/", httplib::Headers{{"X-Amz-Target", "Firehose_20150804.ListDeliveryStreams"}}, "{}",
                         "application/x-amz-json-1.1");
    ASSERT_TRUE(r) << i;
    ASSERT_EQ(r->status, 200);
  }
}

TEST_F(LocalServerTest, ShutdownEndsAStallAtOnce) {
  Settings s = settings();
  s.credentials.clear();
  s.runtime.faults.stall_rate = 1;
  s.runtime.faults.stall = std::chrono::hours(1);
  auto server = std::make_unique<RunningServer>(s);
  ASSERT_EQ(call(**server, "CreateDeliveryStream", stream_request("s"))->status, 200);
  // The URL is read here: the server object is destroyed while the call is still out.
  std::thread stalled([this, url = (*server)->url()] {
    call_at(url, "PutRecord", {{"DeliveryStreamName", "s"}, {"Record", {{"Data", "YQ=="}}}});
  });
  while ((*server)->counters().stalls.load() == 0) std::this_thread::sleep_for(10ms);
  server.reset();  // returns only when the stalled request has finished
  stalled.join();
}

// A raw connection: bytes sent as they are, everything answered read until the server closes.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
    timeval timeout{10, 0};  // a server that never closes fails the test, not hangs it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  void end_sending() { ::shutdown(fd_, SHUT_WR); }
  std::string read_until_closed() {
    std::string got;
    char buffer[65536];
    ssize_t n = 0;
    while ((n = ::recv(fd_, buffer, sizeof(buffer), 0)) > 0) got.append(buffer, static_cast<std::size_t>(n));
    return got;
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::string raw_request(std::string_view operation, std::string_view body, std::string_view extra_headers = "") {
  return fmt::format(
      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: Firehose_20150804.{}\r\n"
      "Content-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n{}\r\n{}",
      operation, body.size(), extra_headers, body);
}

std::size_t count_of(std::string_view text, std::string_view what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

TEST_F(LocalServerTest, ABodyInPiecesIsReadWholeAndTheNextRequestAfterIt) {
  Settings s = settings();
  s.credentials.clear();
  RunningServer server(s);
  RawConnection connection(server->port());
  ASSERT_TRUE(connection.connected());
  // 300 KB of JSON whitespace: several reads of the socket, some before the rest has arrived.
  const std::string body = "{" + std::string(300000, ' ') + "\"Limit\": 5}";
  const std::string first = raw_request("ListDeliveryStreams", body);
  const std::size_t split = first.size() / 3;
  connection.send(std::string_view(first).substr(0, split));
  std::this_thread::sleep_for(50ms);
  // The rest of the body and the whole next request in one write: the next
  // request's bytes must not be taken for the body's.
  connection.send(first.substr(split) + raw_request("ListDeliveryStreams", "{}", "Connection: close\r\n"));
  const std::string answers = connection.read_until_closed();
  EXPECT_EQ(count_of(answers, "HTTP/1.1 200"), 2u) << answers.substr(0, 600);
  EXPECT_EQ(count_of(answers, "\"DeliveryStreamNames\""), 2u);
}

TEST_F(LocalServerTest, ABodyCutShortIsRefusedAndItsConnectionClosed) {
  Settings s = settings();
  s.credentials.clear();
  RunningServer server(s);
  RawConnection connection(server->port());
  ASSERT_TRUE(connection.connected());
  const std::string request = raw_request("ListDeliveryStreams", "{" + std::string(100000, ' ') + "}");
  connection.send(std::string_view(request).substr(0, request.size() - 50000));
  connection.end_sending();  // the client gives up halfway through its body
  const std::string answer = connection.read_until_closed();  // closed by the server: not kept for a next request
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
  EXPECT_EQ(count_of(answer, "HTTP/1.1"), 1u);
  // The server goes on serving others.
  ASSERT_TRUE(call(*server, "ListDeliveryStreams", json::object()));
}

// A connection given back by its worker with half of its next header waits in
// the gate under the header time limit (300 ms), not keep-alive's (15 s, past
// the socket's 10 s here), and is answered 408: the deadline set by the worker
// reaches the gate, which sleeps with nothing to read on that socket.
TEST_F(LocalServerTest, HalfANextHeaderAfterAnAnswerIsTimedOut) {
  Settings s = settings();
  s.credentials.clear();
  s.header_timeout = 300ms;
  RunningServer server(s);
  RawConnection connection(server->port());
  ASSERT_TRUE(connection.connected());
  connection.send(raw_request("ListDeliveryStreams", "{}") + "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  const std::string answers = connection.read_until_closed();  // within the socket's 10 s, or the test fails
  EXPECT_TRUE(answers.starts_with("HTTP/1.1 200")) << answers;
  EXPECT_NE(answers.find("HTTP/1.1 408"), std::string::npos) << answers;
  ASSERT_TRUE(call(*server, "ListDeliveryStreams", json::object()));
}

TEST_F(LocalServerTest, AChunkedBodyIsStillRead) {
  Settings s = settings();
  s.credentials.clear();
  RunningServer server(s);
  RawConnection connection(server->port());
  ASSERT_TRUE(connection.connected());
  connection.send(
      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: Firehose_20150804.ListDeliveryStreams\r\n"
      "Content-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "5\r\n{\"Lim\r\n7\r\nit\": 3}\r\n0\r\n\r\n");
  const std::string answer = connection.read_until_closed();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_NE(answer.find("\"DeliveryStreamNames\""), std::string::npos) << answer;
}

}  // namespace
}  // namespace firehose::local
