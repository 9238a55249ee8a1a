#pragma once
// Real servers on 127.0.0.1 for the credentials tests: a cpp-httplib server
// on its own thread, and a moto_server subprocess (STS, IAM) on a free port.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "aws/credentials/xml_text.hpp"
#include "firehose/credentials.hpp"
#include "protocol/http.hpp"
#include "protocol/sigv4.hpp"

extern char** environ;

namespace firehose::aws::testing {

// Runs `server` on 127.0.0.1 (any free port) until destroyed. Routes must be
// registered before construction.
class ServerThread {
 public:
  explicit ServerThread(httplib::Server& server) : server_(server) {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ServerThread() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  int port() const { return port_; }
  std::string base_url(const std::string& host = "127.0.0.1") const {
    return "http://" + host + ":" + std::to_string(port_);
  }

 private:
  httplib::Server& server_;
  int port_ = -1;
  std::thread thread_;
};

// A port nobody listens on right now (bound, read, released).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

inline bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string dirs = path;
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = dirs.find(':', start);
    const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && ::access((std::filesystem::path(dir) / program).c_str(), X_OK) == 0) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

// `moto_server -H 127.0.0.1 -p PORT` in its own process group, killed (the
// whole group: the pyenv shim may sit in between) when destroyed.
class MotoServer {
 public:
  static bool available() { return on_path("moto_server"); }

  MotoServer() {
    port_ = free_port();
    const std::string port = std::to_string(port_);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::string program = "moto_server", host_flag = "-H", host = "127.0.0.1", port_flag = "-p", port_arg = port;
    char* argv[] = {program.data(), host_flag.data(), host.data(), port_flag.data(), port_arg.data(), nullptr};
    if (::posix_spawnp(&pid_, "moto_server", &actions, &attr, argv, environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (pid_ > 0) wait_ready();
  }
  ~MotoServer() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;

  bool ready() const { return ready_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // INITIAL_NO_AUTH_ACTION_COUNT: 0 turns signature checking on, a huge number off.
  bool set_auth_enforced(bool enforced) {
    httplib::Client client("127.0.0.1", port_);
    auto res = client.Post("/moto-api/reset-auth", enforced ? "0" : "1000000000", "text/plain");
    return res && res->status == 200;
  }

 private:
  void wait_ready() {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(std::chrono::milliseconds(200));
    for (int i = 0; i < 300; ++i) {  // up to ~30 s on a loaded machine
      if (auto res = client.Get("/moto-api/data.json"); res && res->status == 200) {
        ready_ = true;
        return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;  // it died
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  int port_ = -1;
  pid_t pid_ = -1;
  bool ready_ = false;
};

// Sets up moto's IAM (while signature checking is off): a user allowed
// everything and a role anyone may assume, allowed everything too. Returns the user's access key.
inline Credentials create_moto_user_and_role(const MotoServer& moto, const std::string& user, const std::string& role) {
  auto http = make_curl_http_client();
  auto iam = [&](const std::string& form) -> std::string {
    HttpRequest request;
    request.url = moto.url() + "/";
    request.set_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    request.body = form + "&Version=2010-05-08";
    Credentials setup;
    setup.access_key_id = "AKIDSETUP";
    setup.secret_access_key = "setup";
    EXPECT_TRUE(sigv4::sign_request(request, setup, "us-east-1", "iam", std::chrono::system_clock::now()).ok());
    auto response = http->send(request);
    EXPECT_TRUE(response.ok());
    if (!response.ok()) return {};
    EXPECT_EQ(response->status, 200) << response->body;
    return response->body;
  };
  iam("Action=CreateUser&UserName=" + user);
  // {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}
  iam("Action=PutUserPolicy&UserName=" + user +
      "&PolicyName=all&PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A"
      "%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D");
  // {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}
  iam("Action=CreateRole&RoleName=" + role +
      "&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A"
      "%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22*%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D");
  // The role may do everything too, so that it can assume the next role of a chain.
  iam("Action=PutRolePolicy&RoleName=" + role +
      "&PolicyName=all&PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A"
      "%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D");
  const std::string key = iam("Action=CreateAccessKey&UserName=" + user);
  Credentials creds;
  creds.access_key_id = xml_element_text(key, "AccessKeyId").value_or("");
  creds.secret_access_key = xml_element_text(key, "SecretAccessKey").value_or("");
  EXPECT_FALSE(creds.access_key_id.empty()) << key;
  return creds;
}

// One moto_server per test process (ctest runs each test in its own process),
// started on first use; tests skip when moto_server is not installed.
class MotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (MotoServer::available()) moto_ = new MotoServer();
  }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
  }
  void SetUp() override {
    if (moto_ == nullptr) GTEST_SKIP() << "moto_server is not on PATH";
    ASSERT_TRUE(moto_->ready()) << "moto_server did not start";
    ASSERT_TRUE(moto_->set_auth_enforced(false));
  }
  void TearDown() override {
    if (moto_ != nullptr && moto_->ready()) (void)moto_->set_auth_enforced(false);
  }

  static inline MotoServer* moto_ = nullptr;
};

}  // namespace firehose::aws::testing
