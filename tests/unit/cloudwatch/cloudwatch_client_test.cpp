// CloudWatchClient against real servers: moto_server (a third-party
// CloudWatch in JSON 1.0 mode) reads back what the client put, and a loopback
// server checks the request is framed and signed like botocore's.
#include "firehose/cloudwatch_client.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include <gtest/gtest.h>
#include <httplib.h>

#include "aws/credentials/credentials_servers.hpp"
#include "aws/session_impl.hpp"
#include "core/crypto.hpp"
#include "protocol/sigv4.hpp"

namespace firehose {
namespace {

namespace cw = firehose::cloudwatch;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

class FixedCredentials final : public CredentialsProvider {
 public:
  Result<Credentials> get() override { return Credentials{"AKIDCLOUDWATCH", "cw-secret", "", std::nullopt, "fixed"}; }
  std::string name() const override { return "fixed"; }
};

// A session like the CLI's, pointed at `endpoint_url`, with no files or environment.
std::shared_ptr<Session> session_for(const std::string& endpoint_url) {
  SessionOptions options;
  options.region = "us-east-1";
  options.endpoint_url = endpoint_url;
  options.credentials = std::make_shared<FixedCredentials>();
  auto impl =
      make_session_impl(options, aws::Environment::from_map({{"AWS_CONFIG_FILE", "/nonexistent/config"},
                                                             {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/c"}}));
  EXPECT_TRUE(impl.ok()) << impl.error().to_string();
  return std::make_shared<Session>(std::move(impl).value());
}

// Ten minutes ago, on a minute boundary (moto aligns its periods on the first sample).
TimePoint recent_minute() { return std::chrono::floor<minutes>(std::chrono::system_clock::now()) - minutes(10); }

cw::MetricDatum datum(const std::string& name, TimePoint time, double value, const std::string& stream) {
  cw::MetricDatum d;
  d.metric_name = name;
  d.dimensions = {{"DeliveryStreamName", stream}};
  d.timestamp = time;
  d.value = value;
  d.unit = "Count";
  return d;
}

class CloudWatchClientMotoTest : public aws::testing::MotoTest {
 protected:
  std::shared_ptr<CloudWatchClient> client() {
    auto created = CloudWatchClient::create(session_for(moto_->url()));
    EXPECT_TRUE(created.ok()) << created.error().to_string();
    return created.ok() ? *created : nullptr;
  }
  // Each test its own namespace: moto is shared by the whole suite.
  static std::string name_space() {
    return std::string("FirehoseTest/") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
};

TEST_F(CloudWatchClientMotoTest, CreateUsesTheConfiguredEndpoint) {
  auto cw_client = client();
  ASSERT_NE(cw_client, nullptr);
  EXPECT_EQ(cw_client->endpoint_url(), moto_->url());
}

TEST_F(CloudWatchClientMotoTest, PutMetricDataThenGetMetricStatistics) {
  auto cw_client = client();
  ASSERT_NE(cw_client, nullptr);
  const TimePoint t0 = recent_minute();
  cw::PutMetricDataRequest put;
  put.name_space = name_space();
  put.metric_data = {datum("IncomingRecords", t0, 2, "orders"), datum("IncomingRecords", t0 + seconds(20), 3, "orders"),
                     datum("IncomingRecords", t0 + seconds(70), 5, "orders"),
                     datum("IncomingRecords", t0 + seconds(10), 100, "other-stream")};
  cw::MetricDatum set = datum("IncomingRecords", t0 + seconds(130), 0, "orders");
  set.value.reset();
  set.statistic_values = cw::StatisticSet{4, 40, 1, 20};
  put.metric_data.push_back(set);
  auto status = cw_client->put_metric_data(put);
  ASSERT_TRUE(status.ok()) << status.error().to_string();

  cw::GetMetricStatisticsRequest request;
  request.name_space = name_space();
  request.metric_name = "IncomingRecords";
  request.dimensions = {{"DeliveryStreamName", "orders"}};
  request.start_time = t0;
  request.end_time = t0 + minutes(5);
  request.period = 60;
  request.statistics = {"Sum", "SampleCount", "Maximum"};
  auto result = cw_client->get_metric_statistics(request);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  auto points = result->datapoints;
  ASSERT_EQ(points.size(), 3u);
  std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.timestamp < b.timestamp; });
  EXPECT_EQ(points[0].timestamp, t0);
  EXPECT_EQ(points[0].sum, 5.0);
  EXPECT_EQ(points[0].sample_count, 2.0);
  EXPECT_EQ(points[0].maximum, 3.0);
  EXPECT_EQ(points[1].timestamp, t0 + minutes(1));
  EXPECT_EQ(points[1].sum, 5.0);
  EXPECT_EQ(points[2].timestamp, t0 + minutes(2));
  EXPECT_EQ(points[2].sum, 40.0);
  EXPECT_EQ(points[2].sample_count, 4.0);
  EXPECT_EQ(points[2].maximum, 20.0);
  EXPECT_EQ(points[0].unit, "Count");
}

TEST_F(CloudWatchClientMotoTest, GetMetricDataReadsItBack) {
  auto cw_client = client();
  ASSERT_NE(cw_client, nullptr);
  const TimePoint t0 = recent_minute();
  cw::PutMetricDataRequest put;
  put.name_space = name_space();
  put.metric_data = {datum("IncomingBytes", t0 + seconds(5), 10, "orders"),
                     datum("IncomingBytes", t0 + seconds(65), 20, "orders"),
                     datum("IncomingBytes", t0 + seconds(66), 1, "orders")};
  ASSERT_TRUE(cw_client->put_metric_data(put).ok());

  cw::GetMetricDataRequest request;
  cw::MetricDataQuery query;
  query.id = "bytes";
  query.metric_stat =
      cw::MetricStat{{name_space(), "IncomingBytes", {{"DeliveryStreamName", "orders"}}}, 60, "Sum", ""};
  request.queries = {query};
  request.start_time = t0;
  request.end_time = t0 + minutes(3);
  request.scan_by = "TimestampAscending";
  auto result = cw_client->get_metric_data_all(request);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  ASSERT_EQ(result->results.size(), 1u);
  const auto& r = result->results[0];
  EXPECT_EQ(r.id, "bytes");
  EXPECT_EQ(r.status_code, "Complete");
  std::map<TimePoint, double> by_time;
  for (std::size_t i = 0; i < r.values.size(); ++i) by_time[r.timestamps[i]] = r.values[i];
  EXPECT_EQ(by_time, (std::map<TimePoint, double>{{t0, 10}, {t0 + minutes(1), 21}}));

  auto page = cw_client->get_metric_data(request);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_TRUE(page->next_token.empty());
}

TEST_F(CloudWatchClientMotoTest, ListMetricsFindsWhatWasPut) {
  auto cw_client = client();
  ASSERT_NE(cw_client, nullptr);
  const TimePoint t0 = recent_minute();
  cw::PutMetricDataRequest put;
  put.name_space = name_space();
  put.metric_data = {datum("IncomingRecords", t0, 1, "orders"), datum("IncomingBytes", t0, 1, "orders"),
                     datum("IncomingBytes", t0, 1, "clicks")};
  ASSERT_TRUE(cw_client->put_metric_data(put).ok());

  cw::ListMetricsRequest request;
  request.name_space = name_space();
  request.metric_name = "IncomingBytes";
  auto metrics = cw_client->list_all_metrics(request);
  ASSERT_TRUE(metrics.ok()) << metrics.error().to_string();
  std::set<std::string> streams;
  for (const auto& metric : *metrics) {
    EXPECT_EQ(metric.name_space, name_space());
    EXPECT_EQ(metric.metric_name, "IncomingBytes");
    ASSERT_EQ(metric.dimensions.size(), 1u);
    streams.insert(metric.dimensions[0].value);
  }
  EXPECT_EQ(streams, (std::set<std::string>{"orders", "clicks"}));

  request.metric_name.clear();
  request.dimensions = {{"DeliveryStreamName", std::string("orders")}};
  auto page = cw_client->list_metrics(request);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  std::set<std::string> names;
  for (const auto& metric : page->metrics) names.insert(metric.metric_name);
  EXPECT_EQ(names, (std::set<std::string>{"IncomingRecords", "IncomingBytes"}));
}

TEST_F(CloudWatchClientMotoTest, ServiceErrorsCarryTheQueryCode) {
  auto cw_client = client();
  ASSERT_NE(cw_client, nullptr);
  cw::ListMetricsRequest request;
  request.next_token = "not-a-token-moto-gave";
  auto refused = cw_client->list_metrics(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "InvalidParameterValue");
  EXPECT_EQ(refused.error().http_status, 400);
  EXPECT_EQ(refused.error().kind, ErrorKind::Client);
  EXPECT_FALSE(refused.error().request_id.empty());
}

// ---- the request on the wire ----

// Records every request, answers an empty JSON object.
class CapturingServer {
 public:
  CapturingServer() {
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      requests_.push_back(req);
      res.set_content(R"({"Metrics": []})", "application/x-amz-json-1.0");
    });
    thread_ = std::make_unique<aws::testing::ServerThread>(server_);
  }
  std::string url() const { return thread_->base_url(); }
  std::vector<httplib::Request> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  httplib::Server server_;
  std::mutex mutex_;
  std::vector<httplib::Request> requests_;
  std::unique_ptr<aws::testing::ServerThread> thread_;
};

TEST(CloudWatchClientWireTest, RequestsAreFramedAndSignedLikeBotocore) {
  CapturingServer server;
  auto created = CloudWatchClient::create(session_for(server.url()));
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  ASSERT_TRUE((*created)->list_metrics({}).ok());

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& req = requests[0];
  EXPECT_EQ(req.get_header_value("X-Amz-Target"), "GraniteServiceVersion20100801.ListMetrics");
  EXPECT_EQ(req.get_header_value("Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(req.get_header_value("x-amzn-query-mode"), "true");
  EXPECT_EQ(req.body, "{}");

  // botocore 1.43 signs exactly these for a CloudWatch call (captured from a loopback server).
  auto authorization = aws::sigv4::parse_authorization(req.get_header_value("Authorization"));
  ASSERT_TRUE(authorization.ok()) << authorization.error().to_string();
  EXPECT_EQ(authorization->signed_headers,
            (std::vector<std::string>{"content-type", "host", "x-amz-date", "x-amz-target", "x-amzn-query-mode"}));
  EXPECT_EQ(authorization->service, "monitoring");
  EXPECT_EQ(authorization->region, "us-east-1");

  aws::sigv4::SignableRequest signable;
  signable.method = req.method;
  signable.path = req.path;
  signable.payload_hash = aws::crypto::sha256_hex(req.body);
  for (const auto& [name, value] : req.headers) signable.headers.push_back({name, value});
  auto verified = aws::sigv4::verify(
      signable,
      [](const std::string& key) -> std::optional<std::string> {
        return key == "AKIDCLOUDWATCH" ? std::optional<std::string>("cw-secret") : std::nullopt;
      },
      std::chrono::system_clock::now());
  EXPECT_TRUE(verified.ok()) << verified.error().to_string();
}

TEST(CloudWatchClientWireTest, RequestsTheServiceWouldRefuseAreNotSent) {
  CapturingServer server;
  auto created = CloudWatchClient::create(session_for(server.url()));
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  const auto& client = **created;

  cw::PutMetricDataRequest too_many;
  too_many.name_space = "App";
  too_many.metric_data.assign(1001, datum("M", std::chrono::system_clock::now(), 1, "s"));
  auto refused = client.put_metric_data(too_many);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "InvalidParameterValue");
  EXPECT_EQ(refused.error().http_status, 0) << "nothing was sent";

  // 1000 entries with two 600-character dimension values: each valid, over 1 MiB together.
  cw::PutMetricDataRequest too_big;
  too_big.name_space = "App";
  cw::MetricDatum wide = datum("M", std::chrono::system_clock::now(), 1, "s");
  wide.dimensions = {{"a", std::string(600, 'v')}, {"b", std::string(600, 'w')}};
  too_big.metric_data.assign(1000, wide);
  refused = client.put_metric_data(too_big);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "RequestEntityTooLarge");

  cw::GetMetricStatisticsRequest bad_period;
  bad_period.name_space = "App";
  bad_period.metric_name = "M";
  bad_period.start_time = std::chrono::system_clock::now() - minutes(10);
  bad_period.end_time = std::chrono::system_clock::now();
  bad_period.period = 45;
  bad_period.statistics = {"Sum"};
  auto stats = client.get_metric_statistics(bad_period);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.error().code, "InvalidParameterValue");
  EXPECT_EQ(stats.error().message, "The parameter Period must be a multiple of 60.");

  EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace firehose
