// S3Client against a loopback S3: listing across pages, objects fetched in
// ranges pinned to their ETag, S3's XML errors, and an object that changed
// between listing and reading. (Against moto's S3: tests/integration/test_verify.py.)
#include "firehose/s3_client.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <thread>
#include <vector>

#include "aws/session_impl.hpp"

namespace firehose {
namespace {

class FixedCredentials final : public CredentialsProvider {
 public:
  Result<Credentials> get() override { return Credentials{"AKIDS3TEST", "s3-secret", "", std::nullopt, "fixed"}; }
  std::string name() const override { return "fixed"; }
};

std::shared_ptr<Session> session_for(const std::string& endpoint_url) {
  SessionOptions options;
  options.region = "eu-west-1";
  options.endpoint_url = endpoint_url;
  options.credentials = std::make_shared<FixedCredentials>();
  auto impl =
      make_session_impl(options, aws::Environment::from_map({{"AWS_CONFIG_FILE", "/nonexistent/config"},
                                                             {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/c"}}));
  EXPECT_TRUE(impl.ok()) << impl.error().to_string();
  return std::make_shared<Session>(std::move(impl).value());
}

const std::string kContent = "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n";  // 27 bytes

class LoopbackS3 {
 public:
  LoopbackS3() {
    server_.Get("/bucket", [this](const httplib::Request& req, httplib::Response& res) {
      remember(req);
      const std::string token = req.get_param_value("continuation-token");
      std::string body = "<ListBucketResult><Name>bucket</Name>";
      if (token.empty()) {
        body +=
            "<Contents><Key>a/one</Key><Size>27</Size><ETag>&quot;e1&quot;</ETag></Contents>"
            "<IsTruncated>true</IsTruncated><NextContinuationToken>page+2/=</NextContinuationToken>";
      } else {
        body +=
            "<Contents><Key>a/two two</Key><Size>27</Size><ETag>\"e2\"</ETag></Contents>"
            "<IsTruncated>false</IsTruncated>";
      }
      res.set_content(body + "</ListBucketResult>", "application/xml");
    });
    server_.Get("/missing", [this](const httplib::Request& req, httplib::Response& res) {
      remember(req);
      res.status = 404;
      res.set_content(
          "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>"
          "<BucketName>missing</BucketName></Error>",
          "application/xml");
    });
    server_.Get(R"(/bucket/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      remember(req);
      res.set_content(shrink_ ? kContent.substr(0, 20) : kContent,
                      "application/octet-stream");  // httplib serves the Range
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~LoopbackS3() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<httplib::Request> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  bool shrink_ = false;

 private:
  void remember(const httplib::Request& req) {
    std::lock_guard lock(mutex_);
    requests_.push_back(req);
  }
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<httplib::Request> requests_;
};

TEST(S3Client, ListsEveryPagePathStyleAndSigned) {
  LoopbackS3 s3;
  auto client = S3Client::create(session_for(s3.url()));
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  std::vector<std::string> keys;
  auto listed = (*client)->for_each_object("bucket", "a/", [&](const S3Object& o) {
    keys.push_back(o.key);
    return true;
  });
  ASSERT_TRUE(listed.ok()) << listed.error().to_string();
  EXPECT_EQ(keys, (std::vector<std::string>{"a/one", "a/two two"}));
  const auto requests = s3.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].get_param_value("list-type"), "2");
  EXPECT_EQ(requests[0].get_param_value("prefix"), "a/");
  EXPECT_EQ(requests[1].get_param_value("continuation-token"), "page+2/=");  // encoded, decoded intact
  const std::string authorization = requests[0].get_header_value("Authorization");
  EXPECT_NE(authorization.find("/eu-west-1/s3/aws4_request"), std::string::npos) << authorization;
  EXPECT_EQ(requests[0].get_header_value("X-Amz-Content-SHA256"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(S3Client, ReadsAnObjectInRangesPinnedToItsEtag) {
  LoopbackS3 s3;
  auto client = S3Client::create(session_for(s3.url()));
  ASSERT_TRUE(client.ok());
  S3Object object{"a/two two", 27, {}, "\"e2\""};
  std::string read;
  auto got = (*client)->get_object(
      "bucket", object,
      [&](std::string_view bytes) {
        read.append(bytes);
        return true;
      },
      0, 10);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(read, kContent);
  const auto requests = s3.requests();
  ASSERT_EQ(requests.size(), 3u);                    // 10 + 10 + 7 bytes
  EXPECT_EQ(requests[0].path, "/bucket/a/two two");  // sent as a%20two, decoded by the server
  EXPECT_EQ(requests[0].get_header_value("Range"), "bytes=0-9");
  EXPECT_EQ(requests[2].get_header_value("Range"), "bytes=20-26");
  EXPECT_EQ(requests[2].get_header_value("If-Match"), "\"e2\"");
}

TEST(S3Client, AnObjectShorterThanListedIsAnError) {
  LoopbackS3 s3;
  s3.shrink_ = true;
  auto client = S3Client::create(session_for(s3.url()));
  ASSERT_TRUE(client.ok());
  auto got = (*client)->get_object(
      "bucket", S3Object{"a/one", 27, {}, ""}, [](std::string_view) { return true; }, 0, 10);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().to_string().find("a/one"), std::string::npos) << got.error().to_string();
}

TEST(S3Client, XmlErrorsKeepTheirCodeAndNameTheBucket) {
  LoopbackS3 s3;
  auto client = S3Client::create(session_for(s3.url()));
  ASSERT_TRUE(client.ok());
  auto page = (*client)->list_objects_v2("missing", "");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, "NoSuchBucket");
  EXPECT_EQ(page.error().http_status, 404);
  EXPECT_NE(page.error().message.find("bucket 'missing'"), std::string::npos) << page.error().message;
}

}  // namespace
}  // namespace firehose
