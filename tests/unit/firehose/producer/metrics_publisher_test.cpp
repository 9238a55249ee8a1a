// MetricsPublisher against a real CloudWatch endpoint on 127.0.0.1:
// firehose-local's CloudWatch API behind cpp-httplib, reached through the
// library's CloudWatchClient (signed, JSON 1.0), which can be told to refuse
// chosen calls. Publishes are driven with publish_now() and stop(), so no
// assertion depends on the clock.
#include "firehose/producer/metrics_publisher.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "aws/credentials/credentials_servers.hpp"
#include "aws/service_client.hpp"
#include "firehose/cloudwatch_client.hpp"
#include "firehose/logging.hpp"
#include "firehose/producer.hpp"
#include "metrics/cloudwatch_api.hpp"
#include "metrics/metrics_store.hpp"
#include "protocol/cloudwatch.hpp"
#include "support/scripted_firehose_server.hpp"

namespace firehose::producer {
namespace {

namespace cw = firehose::cloudwatch;
using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

const std::string kNamespace = "Test/Producer";
const std::string kStream = "orders";

// Every metric a publish carries, by the names users will chart and alarm on.
const std::set<std::string> kCounterNames = {
    "RecordsPut",       "RecordsRejected",     "RecordsAcknowledged",     "RecordsFailed", "RecordsRetried",
    "RecordsThrottled", "RecordsDeadLettered", "PossibleDuplicates",      "BytesPut",      "BytesAcknowledged",
    "BilledBytes",      "RequestsSucceeded",   "RequestsPartiallyFailed", "RequestsFailed"};
const std::set<std::string> kGaugeNames = {"RequestsInFlight", "BufferedBytes"};

// A CloudWatch endpoint: firehose-local's API and store over HTTP. Calls
// listed in fail_calls() (1-based, counting every PutMetricData) answer 500
// InternalFailure like CloudWatch's query-compatible errors; the others are
// stored and kept, parsed, for inspection.
class CloudWatchEndpoint {
 public:
  CloudWatchEndpoint() : api_(store_) {
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    thread_ = std::make_unique<aws::testing::ServerThread>(server_);
  }

  std::shared_ptr<CloudWatchClient> client() const {
    return std::make_shared<CloudWatchClient>(std::make_shared<aws::ServiceClient>(
        aws::ServiceEndpoint{thread_->base_url(), "us-east-1", "monitoring"},
        std::make_shared<testing::FixedCredentials>(), aws::make_curl_http_client()));
  }

  void fail_calls(std::set<int> calls) {
    std::lock_guard lock(mutex_);
    fail_calls_ = std::move(calls);
  }
  void fail_every_call(bool fail) { fail_every_call_ = fail; }

  std::vector<cw::PutMetricDataRequest> accepted() {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  std::vector<std::size_t> accepted_body_sizes() {
    std::lock_guard lock(mutex_);
    return body_sizes_;
  }
  int put_calls() {
    std::lock_guard lock(mutex_);
    return put_calls_;
  }

  // GetMetricStatistics over the last and next ten minutes, summed over the periods.
  cw::StatisticSet statistics(const CloudWatchClient& client, const std::string& metric) {
    cw::GetMetricStatisticsRequest request;
    request.name_space = kNamespace;
    request.metric_name = metric;
    request.dimensions = {{"DeliveryStreamName", kStream}};
    const auto now = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now());
    request.start_time = now - 10min;
    request.end_time = now + 10min;
    request.period = 60;
    request.statistics = {"SampleCount", "Sum"};
    auto answer = client.get_metric_statistics(request);
    EXPECT_TRUE(answer.ok()) << answer.error().to_string();
    cw::StatisticSet total;
    if (!answer.ok()) return total;
    for (const auto& point : answer->datapoints) {
      total.sample_count += point.sample_count.value_or(0);
      total.sum += point.sum.value_or(0);
    }
    return total;
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    const std::string target = req.get_header_value("X-Amz-Target");
    if (target.ends_with(".PutMetricData")) {
      std::lock_guard lock(mutex_);
      ++put_calls_;
      if (fail_every_call_ || fail_calls_.count(put_calls_) > 0) {
        res.status = 500;
        res.set_header("x-amzn-query-error", "InternalFailure;Receiver");
        res.set_content(R"({"__type":"InternalFailure","message":"injected failure"})", "application/x-amz-json-1.0");
        return;
      }
      auto parsed = cw::parse_put_metric_data_request(req.body);
      if (parsed.ok()) {
        accepted_.push_back(*parsed);
        body_sizes_.push_back(req.body.size());
      }
    }
    const auto answer = api_.handle(target, req.body, std::chrono::system_clock::now());
    res.status = answer.status;
    for (const auto& [name, value] : answer.headers) res.set_header(name, value);
    res.set_content(answer.body, answer.content_type);
  }

  local::MetricsStore store_;
  local::CloudWatchApi api_;
  httplib::Server server_;
  std::unique_ptr<aws::testing::ServerThread> thread_;
  std::mutex mutex_;
  std::set<int> fail_calls_;
  std::atomic<bool> fail_every_call_{false};
  int put_calls_ = 0;
  std::vector<cw::PutMetricDataRequest> accepted_;
  std::vector<std::size_t> body_sizes_;
};

// The producer side: counters and histograms the test sets.
struct ProducerState {
  std::mutex mutex;
  ProducerMetrics metrics;
  LatencyHistogram request_latency;
  LatencyHistogram record_latency;

  MetricsSample sample() {
    std::lock_guard lock(mutex);
    return {metrics, request_latency.counts(), record_latency.counts()};
  }
  void set(std::uint64_t ProducerMetrics::*field, std::uint64_t value) {
    std::lock_guard lock(mutex);
    metrics.*field = value;
  }
};

// Publishes only when the test says so, unless it asks for a short interval and start()s.
MetricsPublisherOptions hourly() {
  MetricsPublisherOptions options;
  options.interval = 1h;
  return options;
}

std::unique_ptr<MetricsPublisher> publisher_for(CloudWatchEndpoint& endpoint, ProducerState& state,
                                                MetricsPublisherOptions options = hourly()) {
  options.name_space = kNamespace;
  options.delivery_stream_name = kStream;
  auto client = endpoint.client();
  return std::make_unique<MetricsPublisher>(
      options, [client](const cw::PutMetricDataRequest& request) { return client->put_metric_data(request); },
      [&state] { return state.sample(); });
}

const cw::MetricDatum* find(const cw::PutMetricDataRequest& request, const std::string& name) {
  for (const auto& datum : request.metric_data) {
    if (datum.metric_name == name) return &datum;
  }
  return nullptr;
}

double value_of(const cw::PutMetricDataRequest& request, const std::string& name) {
  const auto* datum = find(request, name);
  EXPECT_NE(datum, nullptr) << name;
  if (datum == nullptr || !datum->value) return -1;
  return *datum->value;
}

// Sum of a metric's values over every accepted request.
double total(const std::vector<cw::PutMetricDataRequest>& requests, const std::string& name) {
  double sum = 0;
  for (const auto& request : requests) {
    for (const auto& datum : request.metric_data) {
      if (datum.metric_name == name && datum.value) sum += *datum.value;
    }
  }
  return sum;
}

void expect_near_relative(double actual, double exact, const char* what) {
  EXPECT_NEAR(actual, exact, exact * LatencyHistogram::kMaxRelativeError + 1e-6) << what;
}

// Captures what the library logs (its public hook, firehose/logging.hpp) while alive.
class LogCapture {
 public:
  struct Line {
    LogLevel level;
    std::string text;
  };

  LogCapture() : previous_level_(log_level()) {
    set_log_level(LogLevel::Trace);
    set_log_callback([this](const LogMessage& message) {
      std::lock_guard lock(mutex_);
      lines_.push_back({message.level, std::string(message.text)});
    });
  }
  ~LogCapture() {
    set_log_callback({});
    set_log_level(previous_level_);
  }

  std::vector<Line> at(LogLevel level) const {
    std::lock_guard lock(mutex_);
    std::vector<Line> found;
    for (const auto& line : lines_) {
      if (line.level == level) found.push_back(line);
    }
    return found;
  }

 private:
  LogLevel previous_level_;
  mutable std::mutex mutex_;
  std::vector<Line> lines_;
};

TEST(MetricsPublisher, PublishesCounterDeltasGaugesAndLatencyStatisticSets) {
  CloudWatchEndpoint endpoint;
  ProducerState state;
  state.metrics.records_in = 12;
  state.metrics.records_acknowledged = 10;
  state.metrics.bytes_acknowledged = 1000;
  state.metrics.requests_ok = 2;
  state.metrics.requests_in_flight = 3;
  state.metrics.buffered_bytes = 4096;
  for (auto ms : {5ms, 10ms, 20ms}) state.record_latency.record(ms);
  state.request_latency.record(7ms);
  auto publisher = publisher_for(endpoint, state);

  ASSERT_TRUE(publisher->publish_now().ok());
  auto requests = endpoint.accepted();
  ASSERT_EQ(requests.size(), 1u);
  const auto& first = requests[0];
  EXPECT_EQ(first.name_space, kNamespace);
  std::set<std::string> names;
  for (const auto& datum : first.metric_data) {
    names.insert(datum.metric_name);
    EXPECT_EQ(datum.dimensions, (std::vector<cw::Dimension>{{"DeliveryStreamName", kStream}})) << datum.metric_name;
    EXPECT_TRUE(datum.timestamp.has_value()) << datum.metric_name;
  }
  std::set<std::string> expected = kCounterNames;
  expected.insert(kGaugeNames.begin(), kGaugeNames.end());
  expected.insert({"RequestLatency", "RecordLatency"});
  EXPECT_EQ(names, expected);
  EXPECT_EQ(first.metric_data.size(), expected.size());  // each once

  EXPECT_EQ(value_of(first, "RecordsPut"), 12);
  EXPECT_EQ(value_of(first, "RecordsAcknowledged"), 10);
  EXPECT_EQ(find(first, "RecordsAcknowledged")->unit, "Count");
  EXPECT_EQ(value_of(first, "BytesAcknowledged"), 1000);
  EXPECT_EQ(find(first, "BytesAcknowledged")->unit, "Bytes");
  EXPECT_EQ(value_of(first, "RequestsSucceeded"), 2);
  EXPECT_EQ(value_of(first, "RecordsFailed"), 0);
  EXPECT_EQ(value_of(first, "RequestsInFlight"), 3);
  EXPECT_EQ(value_of(first, "BufferedBytes"), 4096);
  EXPECT_EQ(find(first, "BufferedBytes")->unit, "Bytes");
  const auto* record_latency = find(first, "RecordLatency");
  ASSERT_NE(record_latency, nullptr);
  EXPECT_EQ(record_latency->unit, "Milliseconds");
  ASSERT_TRUE(record_latency->statistic_values.has_value());
  EXPECT_EQ(record_latency->statistic_values->sample_count, 3);
  expect_near_relative(record_latency->statistic_values->sum, 35, "sum");
  expect_near_relative(record_latency->statistic_values->minimum, 5, "minimum");
  expect_near_relative(record_latency->statistic_values->maximum, 20, "maximum");
  ASSERT_NE(find(first, "RequestLatency"), nullptr);
  EXPECT_EQ(find(first, "RequestLatency")->statistic_values->sample_count, 1);

  // The second publish: what changed since, gauges as they are now, and no
  // request latency (nothing was recorded: CloudWatch refuses empty sets).
  state.metrics.records_in = 30;
  state.metrics.records_acknowledged = 25;
  state.metrics.requests_in_flight = 1;
  state.record_latency.record(40ms);
  ASSERT_TRUE(publisher->publish_now().ok());
  requests = endpoint.accepted();
  ASSERT_EQ(requests.size(), 2u);
  const auto& second = requests[1];
  EXPECT_EQ(value_of(second, "RecordsPut"), 18);
  EXPECT_EQ(value_of(second, "RecordsAcknowledged"), 15);
  EXPECT_EQ(value_of(second, "BytesAcknowledged"), 0);
  EXPECT_EQ(value_of(second, "RequestsInFlight"), 1);
  EXPECT_EQ(find(second, "RequestLatency"), nullptr);
  ASSERT_NE(find(second, "RecordLatency"), nullptr);
  const auto set = *find(second, "RecordLatency")->statistic_values;
  EXPECT_EQ(set.sample_count, 1);
  expect_near_relative(set.minimum, 40, "minimum");
  expect_near_relative(set.maximum, 40, "maximum");

  // Read back from the endpoint's store: Sum over the periods is the total.
  auto client = endpoint.client();
  EXPECT_EQ(endpoint.statistics(*client, "RecordsAcknowledged").sum, 25);
  EXPECT_EQ(endpoint.statistics(*client, "RecordLatency").sample_count, 4);
}

TEST(MetricsPublisher, StopPublishesOnceMoreSoAShortRunIsCounted) {
  CloudWatchEndpoint endpoint;
  ProducerState state;
  auto publisher = publisher_for(endpoint, state);  // interval: an hour
  publisher->start();
  state.set(&ProducerMetrics::records_acknowledged, 7);
  state.set(&ProducerMetrics::bytes_in, 700);
  ASSERT_TRUE(publisher->stop().ok());
  auto requests = endpoint.accepted();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(value_of(requests[0], "RecordsAcknowledged"), 7);
  EXPECT_EQ(value_of(requests[0], "BytesPut"), 700);

  // Idempotent: neither a second stop() nor the destructor publishes again.
  EXPECT_TRUE(publisher->stop().ok());
  publisher.reset();
  EXPECT_EQ(endpoint.put_calls(), 1);
}

TEST(MetricsPublisher, TheThreadPublishesEveryIntervalWithoutCountingAnythingTwice) {
  CloudWatchEndpoint endpoint;
  ProducerState state;
  auto options = hourly();
  options.interval = 10ms;
  auto publisher = publisher_for(endpoint, state, options);
  publisher->start();
  std::uint64_t acknowledged = 0;
  // Counts change while the thread publishes; wait (generously) for a few publishes.
  const auto give_up = std::chrono::steady_clock::now() + 60s;
  while (endpoint.put_calls() < 3 && std::chrono::steady_clock::now() < give_up) {
    state.set(&ProducerMetrics::records_acknowledged, ++acknowledged);
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_GE(endpoint.put_calls(), 3);
  state.set(&ProducerMetrics::records_acknowledged, ++acknowledged);
  ASSERT_TRUE(publisher->stop().ok());
  const auto requests = endpoint.accepted();
  EXPECT_GE(requests.size(), 4u);  // three or more from the thread, one from stop()
  EXPECT_EQ(total(requests, "RecordsAcknowledged"), static_cast<double>(acknowledged));
}

TEST(MetricsPublisher, FailedPublishesKeepTheirCountsAndAreLoggedOncePerStreak) {
  LogCapture log;
  CloudWatchEndpoint endpoint;
  ProducerState state;
  auto publisher = publisher_for(endpoint, state);
  endpoint.fail_calls({1, 2, 3, 6});

  state.set(&ProducerMetrics::records_acknowledged, 5);
  state.record_latency.record(3ms);
  auto failed = publisher->publish_now();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "InternalFailure");
  state.set(&ProducerMetrics::records_acknowledged, 8);
  state.record_latency.record(9ms);
  EXPECT_FALSE(publisher->publish_now().ok());
  EXPECT_FALSE(publisher->publish_now().ok());
  EXPECT_TRUE(endpoint.accepted().empty());
  ASSERT_EQ(log.at(LogLevel::Warning).size(), 1u) << "one warning for the whole streak";
  EXPECT_NE(log.at(LogLevel::Warning)[0].text.find("InternalFailure"), std::string::npos);
  EXPECT_NE(log.at(LogLevel::Warning)[0].text.find(kNamespace), std::string::npos);
  EXPECT_TRUE(log.at(LogLevel::Info).empty());

  // The first success carries everything the failed ones held.
  state.set(&ProducerMetrics::records_acknowledged, 9);
  ASSERT_TRUE(publisher->publish_now().ok());
  auto requests = endpoint.accepted();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(value_of(requests[0], "RecordsAcknowledged"), 9);
  const auto* latency = find(requests[0], "RecordLatency");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->statistic_values->sample_count, 2);
  expect_near_relative(latency->statistic_values->minimum, 3, "minimum");
  expect_near_relative(latency->statistic_values->maximum, 9, "maximum");
  ASSERT_EQ(log.at(LogLevel::Info).size(), 1u);
  EXPECT_EQ(log.at(LogLevel::Info)[0].text, "metrics publishing recovered");

  state.set(&ProducerMetrics::records_acknowledged, 11);
  ASSERT_TRUE(publisher->publish_now().ok());
  EXPECT_EQ(value_of(endpoint.accepted().back(), "RecordsAcknowledged"), 2);
  EXPECT_EQ(log.at(LogLevel::Info).size(), 1u) << "a success after a success is not news";

  // A new streak is logged again, and its counts also survive it.
  state.set(&ProducerMetrics::records_acknowledged, 20);
  EXPECT_FALSE(publisher->publish_now().ok());
  EXPECT_EQ(log.at(LogLevel::Warning).size(), 2u);
  ASSERT_TRUE(publisher->stop().ok());
  EXPECT_EQ(total(endpoint.accepted(), "RecordsAcknowledged"), 20);
  EXPECT_EQ(log.at(LogLevel::Info).size(), 2u);
}

TEST(MetricsPublisher, APublishSplitOverRequestsResendsOnlyWhatFailed) {
  CloudWatchEndpoint endpoint;
  ProducerState state;
  auto options = hourly();
  options.max_data_per_request = 4;
  auto publisher = publisher_for(endpoint, state, options);
  // Every counter a different value, so that a datum sent twice or lost shows.
  std::uint64_t value = 100;
  for (const auto& counter : kCounterMetrics) state.metrics.*counter.field = value++;
  state.record_latency.record(12ms);
  state.request_latency.record(8ms);
  endpoint.fail_calls({2});  // the second request of the first publish

  EXPECT_FALSE(publisher->publish_now().ok());
  const auto first = endpoint.accepted();
  EXPECT_GE(first.size(), 4u);  // 18 data, at most 4 a request: 5 requests, one refused
  for (const auto& counter : kCounterMetrics) state.metrics.*counter.field += 1000;
  state.record_latency.record(30ms);
  ASSERT_TRUE(publisher->publish_now().ok());

  const auto requests = endpoint.accepted();
  for (const auto& request : requests) EXPECT_LE(request.metric_data.size(), 4u);
  for (const auto& counter : kCounterMetrics) {
    EXPECT_EQ(total(requests, std::string(counter.name)), static_cast<double>(state.metrics.*counter.field))
        << counter.name;
  }
  double record_samples = 0;
  double request_samples = 0;
  for (const auto& request : requests) {
    for (const auto& datum : request.metric_data) {
      if (datum.metric_name == "RecordLatency") record_samples += datum.statistic_values->sample_count;
      if (datum.metric_name == "RequestLatency") request_samples += datum.statistic_values->sample_count;
    }
  }
  EXPECT_EQ(record_samples, 2);
  EXPECT_EQ(request_samples, 1);
}

TEST(MetricsPublisher, RequestsStayWithinTheByteLimit) {
  CloudWatchEndpoint endpoint;
  ProducerState state;
  state.record_latency.record(1ms);
  state.request_latency.record(1ms);
  auto options = hourly();
  options.max_request_bytes = 1200;
  auto publisher = publisher_for(endpoint, state, options);
  ASSERT_TRUE(publisher->publish_now().ok());

  const auto sizes = endpoint.accepted_body_sizes();
  EXPECT_GE(sizes.size(), 2u);
  for (auto size : sizes) EXPECT_LE(size, 1200u);
  std::multiset<std::string> names;
  for (const auto& request : endpoint.accepted()) {
    for (const auto& datum : request.metric_data) names.insert(datum.metric_name);
  }
  EXPECT_EQ(names.size(), kCounterNames.size() + kGaugeNames.size() + 2);  // each exactly once
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
}

// ---- through the Producer ----

ProducerOptions producer_options(std::shared_ptr<CloudWatchClient> metrics_client) {
  ProducerOptions options;
  options.delivery_stream_name = kStream;
  options.max_in_flight = 4;
  options.linger = 5ms;
  options.metrics_client = std::move(metrics_client);
  options.metrics_namespace = kNamespace;
  options.metrics_interval = std::chrono::hours(1);  // only the publish at close()
  return options;
}

TEST(MetricsPublisher, TheProducerPublishesWhatItSentWhenItCloses) {
  testing::ScriptedFirehoseServer firehose;
  CloudWatchEndpoint endpoint;
  auto created = Producer::create(firehose.client(), producer_options(endpoint.client()));
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  auto& producer = *created;
  std::uint64_t bytes = 0;
  for (int i = 0; i < 300; ++i) {
    std::string record = "record-" + std::to_string(i) + "\n";
    bytes += record.size();
    producer->put(std::move(record), OutcomeCallback{});
  }
  ASSERT_TRUE(producer->close(std::chrono::minutes(1)).ok());

  auto client = endpoint.client();
  EXPECT_EQ(endpoint.statistics(*client, "RecordsPut").sum, 300);
  EXPECT_EQ(endpoint.statistics(*client, "RecordsAcknowledged").sum, 300);
  EXPECT_EQ(endpoint.statistics(*client, "BytesAcknowledged").sum, static_cast<double>(bytes));
  EXPECT_EQ(endpoint.statistics(*client, "RecordLatency").sample_count, 300);
  EXPECT_EQ(endpoint.statistics(*client, "RequestLatency").sample_count, firehose.calls());
  EXPECT_EQ(endpoint.statistics(*client, "RequestsSucceeded").sum, firehose.calls());
}

TEST(MetricsPublisher, TheProducerSendsEverythingWhileCloudWatchFails) {
  LogCapture log;
  testing::ScriptedFirehoseServer firehose;
  CloudWatchEndpoint endpoint;
  endpoint.fail_every_call(true);
  auto options = producer_options(endpoint.client());
  options.metrics_interval = std::chrono::seconds(1);
  auto created = Producer::create(firehose.client(), options);
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  auto& producer = *created;
  for (int i = 0; i < 100; ++i) producer->put("r" + std::to_string(i), OutcomeCallback{});
  ASSERT_TRUE(producer->close(std::chrono::minutes(1)).ok());
  EXPECT_EQ(producer->metrics().records_acknowledged, 100u);
  EXPECT_GE(endpoint.put_calls(), 1);  // at least the final publish was tried
  EXPECT_EQ(log.at(LogLevel::Warning).size(), 1u);
  EXPECT_TRUE(log.at(LogLevel::Error).empty());
}

TEST(MetricsPublisher, TheProducerRefusesInconsistentMetricsOptions) {
  testing::ScriptedFirehoseServer firehose;
  CloudWatchEndpoint endpoint;
  auto expect_refused = [&](ProducerOptions options, const char* why) {
    auto created = Producer::create(firehose.client(), std::move(options));
    ASSERT_FALSE(created.ok()) << why;
    EXPECT_EQ(created.error().code, "InvalidOption") << why;
  };
  expect_refused(producer_options(nullptr), "a namespace without a client");
  auto reserved = producer_options(endpoint.client());
  reserved.metrics_namespace = "AWS/Firehose";
  expect_refused(reserved, "AWS/ is CloudWatch's own");
  auto zero = producer_options(endpoint.client());
  zero.metrics_interval = std::chrono::seconds(0);
  expect_refused(zero, "an interval of 0");

  // No namespace: no publishing, with or without a client.
  auto off = producer_options(endpoint.client());
  off.metrics_namespace.clear();
  auto created = Producer::create(firehose.client(), off);
  ASSERT_TRUE(created.ok());
  (*created)->put("x", OutcomeCallback{});
  ASSERT_TRUE((*created)->close(std::chrono::minutes(1)).ok());
  EXPECT_EQ(endpoint.put_calls(), 0);
}

}  // namespace
}  // namespace firehose::producer
