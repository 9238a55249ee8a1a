// The libcurl transport against real servers on 127.0.0.1: cpp-httplib for
// well-behaved HTTP and HTTPS, and a raw socket server for what a well-behaved
// server never does (exact request bytes, resets, silence, 1xx answers).
#include "protocol/http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>
#include "support/temp_dir.hpp"

namespace firehose::aws {
namespace {

using namespace std::chrono_literals;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ---------------------------------------------------------------- servers

// Runs an httplib server (plain or TLS) on 127.0.0.1, on its own thread, for
// the lifetime of this object. Routes must be registered before.
class ServerThread {
 public:
  explicit ServerThread(httplib::Server& server) : server_(server) {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the accept loop runs; wait for it (bounded, so a
    // broken server fails the test instead of hanging it).
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) std::this_thread::sleep_for(1ms);
  }
  ~ServerThread() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path, const std::string& host = "127.0.0.1",
                  const std::string& scheme = "http") const {
    return scheme + "://" + host + ":" + std::to_string(port_) + path;
  }

 private:
  httplib::Server& server_;
  int port_ = -1;
  std::thread thread_;
};

// What a raw connection received: the head exactly as sent, and the body.
struct RawRequest {
  bool complete = false;
  std::string request_line;
  std::vector<std::pair<std::string, std::string>> headers;  // in order, as spelled
  std::string body;

  std::optional<std::string> header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (lower(n) == lower(name)) return v;
    }
    return std::nullopt;
  }
};

bool send_all(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Reads one HTTP/1.1 request with a Content-Length body (all the client sends).
RawRequest read_request(int fd, std::string& buffer) {
  RawRequest request;
  char chunk[65536];
  auto fill = [&]() {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return request;
  }
  std::string head = buffer.substr(0, end + 2);
  buffer.erase(0, end + 4);
  size_t line_end = head.find("\r\n");
  request.request_line = head.substr(0, line_end);
  for (size_t pos = line_end + 2; pos < head.size();) {
    size_t next = head.find("\r\n", pos);
    std::string line = head.substr(pos, next - pos);
    size_t colon = line.find(':');
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    request.headers.emplace_back(line.substr(0, colon), value);
    pos = next + 2;
  }
  size_t length = 0;
  if (auto cl = request.header("Content-Length")) length = std::stoul(*cl);
  while (buffer.size() < length) {
    if (!fill()) return request;
  }
  request.body = buffer.substr(0, length);
  buffer.erase(0, length);
  request.complete = true;
  return request;
}

// Blocks until the client closes the connection (bounded as a safety net).
void wait_for_peer_close(int fd) {
  char chunk[4096];
  for (int i = 0; i < 300; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0 && ::recv(fd, chunk, sizeof chunk, 0) <= 0) return;
  }
}

// Makes close() send a RST instead of a FIN.
void abort_on_close(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

int listen_on_loopback(int backlog, int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, backlog) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

// Accepts connections on 127.0.0.1 one after the other and hands each to the
// handler (with its 0-based index); the connection is closed when it returns.
class RawServer {
 public:
  using Handler = std::function<void(int fd, int index)>;

  explicit RawServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = listen_on_loopback(16, &port_);
    if (listen_fd_ >= 0) thread_ = std::thread([this] { run(); });
  }
  ~RawServer() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  int port() const { return port_; }
  int connections() const { return connections_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  // Waits until `n` connections have been handled: what a handler recorded is
  // then safe to read (the socket alone is no happens-before edge for TSan).
  void wait_for_handled(int n) {
    std::unique_lock lock(handled_mutex_);
    handled_cv_.wait(lock, [&] { return handled_ >= n; });
  }

 private:
  void run() {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      handler_(fd, connections_++);
      ::close(fd);
      {
        std::lock_guard lock(handled_mutex_);
        ++handled_;
      }
      handled_cv_.notify_all();
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::mutex handled_mutex_;
  std::condition_variable handled_cv_;
  int handled_ = 0;
  std::thread thread_;
};

std::string ok_response(const std::string& body = "ok") {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// ---------------------------------------------------------------- TLS material

using firehose::testing::TempDir;

// A self-signed certificate for localhost and 127.0.0.1 (also its own CA).
bool write_self_signed_certificate(const std::string& cert_path, const std::string& key_path) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) return false;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::pair<int, const char*> extensions[] = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,digitalSignature,keyCertSign"},
      {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
  };
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return false;
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return false;
  FILE* cert_file = std::fopen(cert_path.c_str(), "w");
  FILE* key_file = std::fopen(key_path.c_str(), "w");
  bool ok = cert_file != nullptr && key_file != nullptr && PEM_write_X509(cert_file, cert.get()) == 1 &&
            PEM_write_PrivateKey(key_file, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (cert_file != nullptr) std::fclose(cert_file);
  if (key_file != nullptr) std::fclose(key_file);
  return ok;
}

// ---------------------------------------------------------------- fixture

// These tests talk to loopback directly: proxy variables of the machine
// running them must not reroute the requests (one test sets its own).
class CurlHttpClientTest : public ::testing::Test {
 protected:
  static constexpr const char* kProxyVariables[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                                    "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY"};
  void SetUp() override {
    for (const char* name : kProxyVariables) {
      if (const char* value = std::getenv(name)) saved_[name] = value;
      ::unsetenv(name);
    }
  }
  void TearDown() override {
    for (const char* name : kProxyVariables) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }

  static HttpRequest post(std::string url, std::string body) {
    HttpRequest request;
    request.method = "POST";
    request.url = std::move(url);
    request.body = std::move(body);
    return request;
  }

 private:
  std::map<std::string, std::string> saved_;
};

void expect_transport_failure(const Result<HttpResponse>& result, TransportFailure failure, const std::string& code) {
  ASSERT_FALSE(result.ok()) << "got HTTP " << result->status;
  EXPECT_EQ(result.error().kind, ErrorKind::Transport) << result.error().to_string();
  EXPECT_EQ(result.error().transport, failure) << result.error().to_string();
  EXPECT_EQ(result.error().code, code) << result.error().to_string();
  EXPECT_EQ(result.error().http_status, 0);
  // A certificate that failed verification fails the same way next time.
  EXPECT_EQ(is_retryable(result.error()), failure != TransportFailure::Tls);
}

// ---------------------------------------------------------------- round trips

TEST_F(CurlHttpClientTest, SendsExactlyTheRequestHeadersAndReadsTheAnswer) {
  RawRequest seen;
  RawServer server([&](int fd, int) {
    std::string buffer;
    seen = read_request(fd, buffer);
    send_all(fd,
             "HTTP/1.1 201 Created\r\n"
             "X-Amzn-RequestId: 3b1f-req\r\n"
             "Content-Type: application/x-amz-json-1.1\r\n"
             "Content-Length: 17\r\n"
             "\r\n"
             "{\"RecordId\":\"r1\"}");
  });
  ASSERT_GT(server.port(), 0);
  auto client = make_curl_http_client();

  HttpRequest request = post(server.url("/path?a=1"), "{\"Records\":[]}");
  request.headers = {{"X-Amz-Target", "Firehose_20150804.PutRecordBatch"},
                     {"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Date", "20150830T123600Z"},
                     {"X-Empty", ""}};
  auto result = client->send(request);

  ASSERT_TRUE(result.ok()) << result.error().to_string();
  server.wait_for_handled(1);
  ASSERT_TRUE(seen.complete);
  EXPECT_EQ(seen.request_line, "POST /path?a=1 HTTP/1.1");
  std::set<std::string> names;
  for (const auto& [name, value] : seen.headers) names.insert(lower(name));
  // Ours, plus the three that HTTP itself needs: nothing else.
  EXPECT_EQ(names, (std::set<std::string>{"host", "user-agent", "content-length", "x-amz-target", "content-type",
                                          "x-amz-date", "x-empty"}));
  EXPECT_EQ(seen.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen.header("Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(seen.header("X-Amz-Target"), "Firehose_20150804.PutRecordBatch");
  EXPECT_EQ(seen.header("X-Empty"), "");
  EXPECT_EQ(seen.header("Content-Length"), "14");
  EXPECT_EQ(seen.header("User-Agent").value_or("").rfind("firehose/" FIREHOSE_VERSION " libcurl/", 0), 0u);
  EXPECT_EQ(seen.body, "{\"Records\":[]}");

  EXPECT_EQ(result->status, 201);
  EXPECT_EQ(result->body, "{\"RecordId\":\"r1\"}");
  ASSERT_NE(result->header("x-amzn-requestid"), nullptr);
  EXPECT_EQ(*result->header("x-amzn-requestid"), "3b1f-req");
  std::set<std::string> answer_names;
  for (const auto& h : result->headers) answer_names.insert(h.name);
  EXPECT_EQ(answer_names, (std::set<std::string>{"x-amzn-requestid", "content-type", "content-length"}));
}

TEST_F(CurlHttpClientTest, BodyWithoutContentTypeGoesWithoutOne) {
  RawRequest seen;
  RawServer server([&](int fd, int) {
    std::string buffer;
    seen = read_request(fd, buffer);
    send_all(fd, ok_response());
  });
  auto client = make_curl_http_client();
  auto result = client->send(post(server.url("/"), "Action=AssumeRoleWithWebIdentity"));
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  server.wait_for_handled(1);
  ASSERT_TRUE(seen.complete);
  EXPECT_FALSE(seen.header("Content-Type").has_value());
  EXPECT_EQ(seen.body, "Action=AssumeRoleWithWebIdentity");
}

TEST_F(CurlHttpClientTest, LargeAndEmptyBodiesRoundTripWithoutExpectContinue) {
  httplib::Server server;
  std::mutex mutex;
  std::vector<httplib::Request> seen;
  server.Post("/echo", [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mutex);
      seen.push_back(req);
    }
    res.status = 200;
    res.set_header("X-Seen-Length", std::to_string(req.body.size()));
    res.set_content(req.body, "application/octet-stream");
  });
  ServerThread thread(server);
  ASSERT_GT(thread.port(), 0);
  HttpOptions options;
  options.user_agent = "firehose-test-agent/1.0";
  auto client = make_curl_http_client(options);

  std::string large(5 * 1024 * 1024, '\0');
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>((i * 7919) % 251);  // binary, NULs included
  HttpRequest big = post(thread.url("/echo"), large);
  big.set_header("Content-Type", "application/octet-stream");
  auto big_result = client->send(big);
  auto empty_result = client->send(post(thread.url("/echo"), ""));

  ASSERT_TRUE(big_result.ok()) << big_result.error().to_string();
  ASSERT_TRUE(empty_result.ok()) << empty_result.error().to_string();
  EXPECT_EQ(big_result->status, 200);
  EXPECT_TRUE(big_result->body == large) << "echoed body differs (" << big_result->body.size() << " bytes)";
  EXPECT_EQ(empty_result->status, 200);
  EXPECT_EQ(empty_result->body, "");
  ASSERT_NE(empty_result->header("X-Seen-Length"), nullptr);
  EXPECT_EQ(*empty_result->header("X-Seen-Length"), "0");

  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& req : seen) {
    EXPECT_FALSE(req.has_header("Expect"));
    EXPECT_FALSE(req.has_header("Accept-Encoding"));
    EXPECT_EQ(req.get_header_value("User-Agent"), "firehose-test-agent/1.0");
  }
  EXPECT_EQ(seen[0].get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(seen[0].get_header_value("Content-Length"), std::to_string(large.size()));
  EXPECT_FALSE(seen[1].has_header("Content-Type"));
  EXPECT_EQ(seen[1].get_header_value("Content-Length"), "0");
}

TEST_F(CurlHttpClientTest, PutGetAndHeadAsTheMetadataServicesUseThem) {
  httplib::Server server;
  std::mutex mutex;
  std::vector<std::string> log;
  server.Put("/latest/api/token", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    log.push_back("PUT ttl=" + req.get_header_value("X-aws-ec2-metadata-token-ttl-seconds") +
                  " length=" + req.get_header_value("Content-Length") + " body=" + req.body);
    res.set_content("TOKEN123", "text/plain");
  });
  server.Get("/creds", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    log.push_back(std::string(req.method) + " token=" + req.get_header_value("X-aws-ec2-metadata-token") +
                  " has-length=" + (req.has_header("Content-Length") ? "yes" : "no"));
    res.set_header("X-Role", "r");
    res.set_content("{\"AccessKeyId\":\"AKID\"}", "application/json");
  });
  ServerThread thread(server);
  ASSERT_GT(thread.port(), 0);
  auto client = make_curl_http_client();

  HttpRequest put;
  put.method = "PUT";
  put.url = thread.url("/latest/api/token");
  put.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  auto token = client->send(put);
  ASSERT_TRUE(token.ok()) << token.error().to_string();
  EXPECT_EQ(token->status, 200);
  EXPECT_EQ(token->body, "TOKEN123");

  HttpRequest get;
  get.method = "GET";
  get.url = thread.url("/creds");
  get.headers = {{"X-aws-ec2-metadata-token", token->body}};
  auto creds = client->send(get);
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->body, "{\"AccessKeyId\":\"AKID\"}");

  HttpRequest head = get;
  head.method = "HEAD";
  auto head_result = client->send(head);
  ASSERT_TRUE(head_result.ok()) << head_result.error().to_string();
  EXPECT_EQ(head_result->status, 200);
  EXPECT_EQ(head_result->body, "");
  ASSERT_NE(head_result->header("x-role"), nullptr);

  HttpRequest missing = get;
  missing.url = thread.url("/nothing-here");
  auto not_found = client->send(missing);
  ASSERT_TRUE(not_found.ok()) << "an HTTP error status is still an answer";
  EXPECT_EQ(not_found->status, 404);

  std::lock_guard lock(mutex);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0], "PUT ttl=21600 length=0 body=");
  EXPECT_EQ(log[1], "GET token=TOKEN123 has-length=no");
  EXPECT_EQ(log[2], "HEAD token=TOKEN123 has-length=no");
}

TEST_F(CurlHttpClientTest, KeepsOnlyTheFinalResponsesHeaders) {
  RawServer server([&](int fd, int) {
    std::string buffer;
    read_request(fd, buffer);
    send_all(fd,
             "HTTP/1.1 100 Continue\r\n"
             "X-Interim: 1\r\n"
             "\r\n"
             "HTTP/1.1 503 Service Unavailable\r\n"
             "X-Final: yes\r\n"
             "X-Folded: first\r\n"
             "  second\r\n"
             "Content-Length: 4\r\n"
             "\r\n"
             "busy");
  });
  auto client = make_curl_http_client();
  auto result = client->send(post(server.url("/"), "x"));
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->status, 503);
  EXPECT_EQ(result->body, "busy");
  EXPECT_EQ(result->header("x-interim"), nullptr);
  ASSERT_NE(result->header("x-final"), nullptr);
  EXPECT_EQ(*result->header("x-final"), "yes");
  ASSERT_NE(result->header("x-folded"), nullptr);
  EXPECT_EQ(*result->header("x-folded"), "first second");
}

// ---------------------------------------------------------------- connection reuse

TEST_F(CurlHttpClientTest, SequentialRequestsReuseOneConnection) {
  httplib::Server server;
  server.set_keep_alive_max_count(100);
  server.set_tcp_nodelay(true);
  std::mutex mutex;
  std::vector<int> ports;
  server.Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    ports.push_back(req.remote_port);
    res.set_content("ok", "text/plain");
  });
  ServerThread thread(server);
  ASSERT_GT(thread.port(), 0);
  auto client = make_curl_http_client();
  for (int i = 0; i < 6; ++i) {
    auto result = client->send(post(thread.url("/"), "n=" + std::to_string(i)));
    ASSERT_TRUE(result.ok()) << result.error().to_string();
    EXPECT_EQ(result->status, 200);
  }
  std::lock_guard lock(mutex);
  ASSERT_EQ(ports.size(), 6u);
  EXPECT_EQ(std::set<int>(ports.begin(), ports.end()).size(), 1u) << "each request opened a new connection";
}

TEST_F(CurlHttpClientTest, ConcurrentRequestsFromEightThreadsAllSucceed) {
  httplib::Server server;
  server.set_keep_alive_max_count(1000);
  server.set_tcp_nodelay(true);
  server.new_task_queue = [] { return new httplib::ThreadPool(16); };
  std::mutex mutex;
  std::set<int> ports;
  server.Post("/echo", [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mutex);
      ports.insert(req.remote_port);
    }
    res.set_content(req.body, "text/plain");
  });
  ServerThread thread(server);
  ASSERT_GT(thread.port(), 0);
  auto client = make_curl_http_client();

  constexpr int kThreads = 8;
  constexpr int kRequestsEach = 25;
  std::atomic<int> matched{0};
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kRequestsEach; ++i) {
        std::string body = "thread " + std::to_string(t) + " request " + std::to_string(i);
        auto result = client->send(post(thread.url("/echo"), body));
        if (!result.ok()) {
          failures[t] = result.error().to_string();
        } else if (result->status == 200 && result->body == body) {
          ++matched;
        }
      }
    });
  }
  for (auto& s : senders) s.join();
  for (const auto& f : failures) EXPECT_EQ(f, "");
  EXPECT_EQ(matched.load(), kThreads * kRequestsEach);
  std::lock_guard lock(mutex);
  // At most one pooled handle (one connection) per concurrent sender.
  EXPECT_LE(ports.size(), static_cast<size_t>(kThreads));
}

// ---------------------------------------------------------------- failures

TEST_F(CurlHttpClientTest, ClosedPortIsRefused) {
  int port = 0;
  int fd = listen_on_loopback(1, &port);
  ASSERT_GE(fd, 0);
  ::close(fd);  // nothing listens there any more
  auto client = make_curl_http_client();
  auto result = client->send(post("http://127.0.0.1:" + std::to_string(port) + "/", "x"));
  expect_transport_failure(result, TransportFailure::Refused, "ConnectionRefused");
  if (!result.ok()) {
    EXPECT_NE(result.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
  }
}

TEST_F(CurlHttpClientTest, ResetAndSilentCloseAreResetsAndTheNextRequestWorks) {
  RawServer server([&](int fd, int index) {
    std::string buffer;
    read_request(fd, buffer);
    if (index == 0) abort_on_close(fd);           // RST
    if (index >= 2) send_all(fd, ok_response());  // index 1: FIN, no answer
  });
  auto client = make_curl_http_client();
  auto reset = client->send(post(server.url("/"), "a"));
  auto nothing = client->send(post(server.url("/"), "b"));
  auto fine = client->send(post(server.url("/"), "c"));
  expect_transport_failure(reset, TransportFailure::Reset, "ConnectionReset");
  expect_transport_failure(nothing, TransportFailure::Reset, "ConnectionReset");
  ASSERT_TRUE(fine.ok()) << fine.error().to_string();
  EXPECT_EQ(fine->body, "ok");
  EXPECT_EQ(server.connections(), 3);
}

// libcurl re-sends a request whose reused connection closed before any byte
// of the answer: the caller must learn of it, since the first send may have
// been processed (a put stored twice).
TEST_F(CurlHttpClientTest, ASilentResendOnANewConnectionIsReported) {
  RawServer server([&](int fd, int index) {
    std::string buffer;
    read_request(fd, buffer);
    if (index == 0) {
      send_all(fd, ok_response("first"));
      read_request(fd, buffer);  // the reused connection's request: closed without an answer
      return;
    }
    send_all(fd, ok_response("again"));
  });
  auto client = make_curl_http_client();
  auto first = client->send(post(server.url("/"), "1"));
  auto second = client->send(post(server.url("/"), "2"));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->sends, 1);
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(second->body, "again");
  EXPECT_EQ(second->sends, 2);
  EXPECT_EQ(server.connections(), 2);
}

TEST_F(CurlHttpClientTest, ConnectionCutMidAnswerIsNotReused) {
  RawServer server([&](int fd, int index) {
    std::string buffer;
    read_request(fd, buffer);
    send_all(fd, ok_response("first"));
    if (index == 0) {
      read_request(fd, buffer);  // the same connection, reused by the client
      send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
    }
  });
  auto client = make_curl_http_client();
  auto first = client->send(post(server.url("/"), "1"));
  auto cut = client->send(post(server.url("/"), "2"));
  auto after = client->send(post(server.url("/"), "3"));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  expect_transport_failure(cut, TransportFailure::Reset, "ConnectionReset");
  ASSERT_TRUE(after.ok()) << after.error().to_string();
  EXPECT_EQ(after->body, "first");
  EXPECT_EQ(server.connections(), 2);
}

TEST_F(CurlHttpClientTest, SilentServerIsARequestTimeout) {
  RawServer server([&](int fd, int index) {
    std::string buffer;
    read_request(fd, buffer);
    if (index == 0) {  // answer once, so that the second request reuses the connection
      send_all(fd, ok_response());
      read_request(fd, buffer);
    }
    wait_for_peer_close(fd);
  });
  HttpOptions options;
  options.request_timeout = 300ms;
  auto client = make_curl_http_client(options);
  auto first = client->send(post(server.url("/"), "1"));
  auto on_reused = client->send(post(server.url("/"), "2"));
  auto on_fresh = client->send(post(server.url("/"), "3"));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  expect_transport_failure(on_reused, TransportFailure::Timeout, "RequestTimeout");
  expect_transport_failure(on_fresh, TransportFailure::Timeout, "RequestTimeout");
}

TEST_F(CurlHttpClientTest, FullListenQueueIsAConnectTimeout) {
  // A listener that never accepts, with its queue full: Linux drops further
  // SYNs, so a connection attempt hangs until the connect timeout.
  int port = 0;
  int listener = listen_on_loopback(0, &port);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::vector<int> fillers;
  bool hanging = false;
  for (int i = 0; i < 8 && !hanging; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    fillers.push_back(fd);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) continue;
    pollfd p{fd, POLLOUT, 0};
    hanging = ::poll(&p, 1, 200) == 0;  // still connecting: the queue is full
  }
  if (hanging) {
    HttpOptions options;
    options.connect_timeout = 200ms;
    auto client = make_curl_http_client(options);
    auto result = client->send(post("http://127.0.0.1:" + std::to_string(port) + "/", "x"));
    expect_transport_failure(result, TransportFailure::Timeout, "ConnectTimeout");
  }
  for (int fd : fillers) ::close(fd);
  ::close(listener);
  if (!hanging) GTEST_SKIP() << "this network stack does not drop SYNs on a full listen queue";
}

TEST_F(CurlHttpClientTest, UnresolvableHostIsADnsFailure) {
  auto client = make_curl_http_client();
  auto result = client->send(post("http://nonexistent.invalid/", "x"));
  expect_transport_failure(result, TransportFailure::Dns, "DnsFailure");
  if (!result.ok()) {
    EXPECT_NE(result.error().message.find("nonexistent.invalid"), std::string::npos);
  }
}

TEST_F(CurlHttpClientTest, MalformedRequestsAreRefusedBeforeSending) {
  auto client = make_curl_http_client();
  HttpRequest injected = post("http://127.0.0.1:9/", "x");
  injected.headers = {{"X-Amz-Target", "a\r\nInjected: yes"}};
  auto header_result = client->send(injected);
  ASSERT_FALSE(header_result.ok());
  EXPECT_EQ(header_result.error().kind, ErrorKind::Client);
  EXPECT_EQ(header_result.error().code, "InvalidHeader");

  HttpRequest bad_name = post("http://127.0.0.1:9/", "x");
  bad_name.headers = {{"Bad Name", "v"}};
  auto name_result = client->send(bad_name);
  ASSERT_FALSE(name_result.ok());
  EXPECT_EQ(name_result.error().code, "InvalidHeader");

  HttpRequest bad_method = post("http://127.0.0.1:9/", "x");
  bad_method.method = "GET /evil HTTP/1.1\r\n";
  auto method_result = client->send(bad_method);
  ASSERT_FALSE(method_result.ok());
  EXPECT_EQ(method_result.error().code, "InvalidMethod");

  for (const char* url : {"", "ftp://127.0.0.1/file", "file:///etc/passwd"}) {
    auto result = client->send(post(url, "x"));
    ASSERT_FALSE(result.ok()) << url;
    EXPECT_EQ(result.error().kind, ErrorKind::Config) << url << ": " << result.error().to_string();
    EXPECT_EQ(result.error().code, "InvalidUrl") << url;
    EXPECT_FALSE(is_retryable(result.error()));
  }
}

// ---------------------------------------------------------------- TLS

class CurlHttpsTest : public CurlHttpClientTest {
 protected:
  void SetUp() override {
    CurlHttpClientTest::SetUp();
    cert_ = dir_.file("cert.pem");
    key_ = dir_.file("key.pem");
    ASSERT_TRUE(write_self_signed_certificate(cert_, key_));
  }

  TempDir dir_;
  std::string cert_;
  std::string key_;
};

TEST_F(CurlHttpsTest, SelfSignedCertificateIsRejectedUnlessItIsTheCaBundle) {
  httplib::SSLServer server(cert_.c_str(), key_.c_str());
  ASSERT_TRUE(server.is_valid());
  server.Post("/", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("secure:" + req.body, "text/plain");
  });
  ServerThread thread(server);
  ASSERT_GT(thread.port(), 0);

  auto untrusting = make_curl_http_client();
  auto rejected = untrusting->send(post(thread.url("/", "127.0.0.1", "https"), "x"));
  expect_transport_failure(rejected, TransportFailure::Tls, "TlsError");

  HttpOptions with_bundle;
  with_bundle.ca_bundle = cert_;
  auto trusting = make_curl_http_client(with_bundle);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    auto accepted = trusting->send(post(thread.url("/", host, "https"), "y"));
    ASSERT_TRUE(accepted.ok()) << host << ": " << accepted.error().to_string();
    EXPECT_EQ(accepted->status, 200);
    EXPECT_EQ(accepted->body, "secure:y");
  }

  HttpOptions insecure;
  insecure.verify_tls = false;
  auto unverified = make_curl_http_client(insecure)->send(post(thread.url("/", "127.0.0.1", "https"), "z"));
  ASSERT_TRUE(unverified.ok()) << unverified.error().to_string();
  EXPECT_EQ(unverified->body, "secure:z");
}

TEST_F(CurlHttpsTest, HttpsToAPlainHttpPortIsATlsFailure) {
  httplib::Server server;
  server.Post("/", [](const httplib::Request&, httplib::Response& res) { res.set_content("plain", "text/plain"); });
  ServerThread thread(server);
  ASSERT_GT(thread.port(), 0);
  HttpOptions options;
  options.ca_bundle = cert_;
  auto result = make_curl_http_client(options)->send(post(thread.url("/", "127.0.0.1", "https"), "x"));
  expect_transport_failure(result, TransportFailure::Tls, "TlsError");
}

TEST_F(CurlHttpsTest, MissingCaBundleIsAConfigurationError) {
  httplib::SSLServer server(cert_.c_str(), key_.c_str());
  ASSERT_TRUE(server.is_valid());
  ServerThread thread(server);
  ASSERT_GT(thread.port(), 0);
  HttpOptions options;
  options.ca_bundle = dir_.file("no-such-bundle.pem");
  auto result = make_curl_http_client(options)->send(post(thread.url("/", "127.0.0.1", "https"), "x"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::Config) << result.error().to_string();
  EXPECT_EQ(result.error().code, "InvalidCaBundle");
  EXPECT_FALSE(is_retryable(result.error()));
}

// ---------------------------------------------------------------- proxies

TEST_F(CurlHttpClientTest, HttpProxyFromTheEnvironmentIsUsed) {
  RawRequest seen;
  RawServer proxy([&](int fd, int) {
    std::string buffer;
    seen = read_request(fd, buffer);
    send_all(fd, ok_response("via proxy"));
  });
  ::setenv("http_proxy", proxy.url("").c_str(), 1);  // TearDown restores the environment
  auto client = make_curl_http_client();
  HttpRequest request = post("http://firehose.example.invalid/", "x");
  request.headers = {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKID/..."}};
  auto result = client->send(request);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->body, "via proxy");
  proxy.wait_for_handled(1);
  EXPECT_EQ(seen.request_line, "POST http://firehose.example.invalid/ HTTP/1.1");
  EXPECT_EQ(seen.header("Host"), "firehose.example.invalid");

  ::setenv("no_proxy", "firehose.example.invalid", 1);
  auto bypassed = client->send(post("http://firehose.example.invalid/", "x"));
  expect_transport_failure(bypassed, TransportFailure::Dns, "DnsFailure");
}

}  // namespace
}  // namespace firehose::aws
