#include "aws/credentials/container_provider.hpp"

#include <atomic>

#include <gtest/gtest.h>

#include "aws/credentials/not_found.hpp"
#include "core/timestamp.hpp"
#include "credentials_servers.hpp"
#include "credentials_test_support.hpp"

namespace firehose::aws {
namespace {

constexpr const char* kCredentialsJson = R"({"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"secret","Token":"token",)"
                                         R"("Expiration":"2031-02-03T04:05:06Z","RoleArn":"arn:aws:iam::1:role/task"})";

// An ECS/EKS-style credentials endpoint that records what it was sent.
class CredentialsEndpoint {
 public:
  CredentialsEndpoint() {
    server_.Get("/creds", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mutex_);
        authorizations_.push_back(req.get_header_value("Authorization"));
        accept_ = req.get_header_value("Accept");
      }
      if (failures_before_success_ > 0) {
        --failures_before_success_;
        res.status = 503;
        return;
      }
      res.status = status_;
      res.set_content(body_, "application/json");
    });
    thread_ = std::make_unique<testing::ServerThread>(server_);
  }
  std::string url(const std::string& host = "127.0.0.1") const { return thread_->base_url(host) + "/creds"; }
  std::vector<std::string> authorizations() {
    std::lock_guard lock(mutex_);
    return authorizations_;
  }
  std::string accept() {
    std::lock_guard lock(mutex_);
    return accept_;
  }

  std::atomic<int> failures_before_success_{0};
  std::atomic<int> status_{200};
  std::string body_ = kCredentialsJson;

 private:
  httplib::Server server_;
  std::unique_ptr<testing::ServerThread> thread_;
  std::mutex mutex_;
  std::vector<std::string> authorizations_;
  std::string accept_;
};

ContainerProviderOptions fast_retries() {
  ContainerProviderOptions options;
  options.attempts = 3;
  options.retry_delay = std::chrono::milliseconds(1);
  return options;
}

TEST(ContainerProvider, FullUriOnLoopbackWithAuthorizationToken) {
  CredentialsEndpoint endpoint;
  ContainerProvider provider(Environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url()},
                                                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"}}),
                             make_curl_http_client(), fast_retries());
  auto creds = provider.get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(creds->access_key_id, "ASIACONTAINER");
  EXPECT_EQ(creds->secret_access_key, "secret");
  EXPECT_EQ(creds->session_token, "token");
  ASSERT_TRUE(creds->expiration.has_value());
  EXPECT_EQ(format_iso8601(*creds->expiration), "2031-02-03T04:05:06Z");
  EXPECT_EQ(creds->provider, "container");
  EXPECT_EQ(endpoint.authorizations(), std::vector<std::string>{"Basic abc"});
  EXPECT_EQ(endpoint.accept(), "application/json");
}

TEST(ContainerProvider, TokenFileIsReadOnEveryFetchAndWinsOverTheVariable) {
  CredentialsEndpoint endpoint;
  testing::TempDir dir;
  const auto token_file = dir.write("token", "first\n");
  ContainerProvider provider(Environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url("localhost")},
                                                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file.string()},
                                                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored"}}),
                             make_curl_http_client(), fast_retries());
  ASSERT_TRUE(provider.get().ok());
  dir.write("token", "second");
  ASSERT_TRUE(provider.get().ok());
  EXPECT_EQ(endpoint.authorizations(), (std::vector<std::string>{"first", "second"}));
}

TEST(ContainerProvider, TokenWithALineBreakIsRefused) {
  CredentialsEndpoint endpoint;
  auto creds = ContainerProvider(Environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url()},
                                                        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Evil: 1"}}),
                                 make_curl_http_client(), fast_retries())
                   .get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().kind, ErrorKind::Config);
  EXPECT_TRUE(endpoint.authorizations().empty());
}

TEST(ContainerProvider, RetriesServerErrorsButNotClientErrors) {
  CredentialsEndpoint endpoint;
  auto env = Environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url()}});
  endpoint.failures_before_success_ = 2;
  auto recovered = ContainerProvider(env, make_curl_http_client(), fast_retries()).get();
  ASSERT_TRUE(recovered.ok()) << recovered.error().to_string();
  EXPECT_EQ(endpoint.authorizations().size(), 3u);

  endpoint.failures_before_success_ = 5;
  auto exhausted = ContainerProvider(env, make_curl_http_client(), fast_retries()).get();
  ASSERT_FALSE(exhausted.ok());
  EXPECT_EQ(exhausted.error().kind, ErrorKind::Transient);
  EXPECT_EQ(endpoint.authorizations().size(), 6u);

  endpoint.failures_before_success_ = 0;
  endpoint.status_ = 401;
  auto refused = ContainerProvider(env, make_curl_http_client(), fast_retries()).get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::Auth);
  EXPECT_FALSE(is_credentials_not_found(refused.error()));
  EXPECT_EQ(endpoint.authorizations().size(), 7u);
}

TEST(ContainerProvider, MalformedDocumentIsAnError) {
  CredentialsEndpoint endpoint;
  endpoint.body_ = R"({"AccessKeyId":"A"})";
  auto creds = ContainerProvider(Environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url()}}),
                                 make_curl_http_client(), fast_retries())
                   .get();
  ASSERT_FALSE(creds.ok());
  EXPECT_NE(creds.error().message.find("SecretAccessKey"), std::string::npos) << creds.error().message;
}

TEST(ContainerProvider, DisallowedFullUriHostIsRefusedWithoutARequest) {
  CredentialsEndpoint endpoint;
  // Same server, reached through a non-loopback name of this machine is not possible
  // offline, so the refusal is checked on hosts that must never be contacted over http.
  for (const char* url : {"http://169.254.169.254/creds", "http://example.com/creds", "http://10.0.0.1:80/creds",
                          "ftp://127.0.0.1/creds"}) {
    auto creds = ContainerProvider(Environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url}}),
                                   make_curl_http_client(), fast_retries())
                     .get();
    ASSERT_FALSE(creds.ok()) << url;
    EXPECT_EQ(creds.error().code, "InvalidContainerCredentialsConfig") << url;
  }
}

TEST(ContainerProvider, FullUriAllowList) {
  for (const char* ok : {"https://credentials.example.com/v1", "http://127.0.0.1:8080/x", "http://127.9.8.7/x",
                         "http://localhost/x", "http://LOCALHOST:1/x", "http://[::1]:9/x", "http://169.254.170.2/v2",
                         "http://169.254.170.23/v1", "http://[fd00:ec2::23]/v1", "http://[fd00:ec2:0:0::23]:80/v1"}) {
    EXPECT_TRUE(check_container_full_uri(ok).ok()) << ok;
  }
  for (const char* bad : {"http://169.254.170.3/", "http://128.0.0.1/", "http://[::2]/", "http://localhost.evil.com/",
                          "http://127.0.0.1.nip.io/", "http://user@example.com/", "not a url", "http:///x"}) {
    EXPECT_FALSE(check_container_full_uri(bad).ok()) << bad;
  }
}

// Sends requests for one origin to another (a loopback server), recording the URLs asked for.
class RedirectingClient : public HttpClient {
 public:
  RedirectingClient(std::string from, std::string to) : from_(std::move(from)), to_(std::move(to)) {}
  Result<HttpResponse> send(const HttpRequest& request) override {
    requested.push_back(request.url);
    HttpRequest copy = request;
    if (copy.url.rfind(from_, 0) == 0) copy.url = to_ + copy.url.substr(from_.size());
    return inner_->send(copy);
  }
  std::vector<std::string> requested;

 private:
  std::string from_, to_;
  HttpClientPtr inner_ = make_curl_http_client();
};

TEST(ContainerProvider, RelativeUriGoesToTheEcsAgentAddress) {
  CredentialsEndpoint endpoint;
  const std::string local = endpoint.url().substr(0, endpoint.url().size() - std::string("/creds").size());
  auto http = std::make_shared<RedirectingClient>("http://169.254.170.2", local);
  ContainerProvider provider(Environment::from_map({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds"},
                                                    {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://ignored.example/"}}),
                             http, fast_retries());
  auto creds = provider.get();
  ASSERT_TRUE(creds.ok()) << creds.error().to_string();
  EXPECT_EQ(http->requested, std::vector<std::string>{"http://169.254.170.2/creds"});
}

TEST(ContainerProvider, UnsetIsASoftMiss) {
  auto creds = ContainerProvider(Environment::from_map({}), make_curl_http_client()).get();
  ASSERT_FALSE(creds.ok());
  EXPECT_TRUE(is_credentials_not_found(creds.error()));
}

}  // namespace
}  // namespace firehose::aws
