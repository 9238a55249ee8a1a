#pragma once
// Publishes the producer's metrics to CloudWatch with PutMetricData, as the
// KPL and the Kinesis Agent do: every interval on its own thread, and once
// more at stop() so that a run shorter than the interval is counted too.
//
// Each publish sends what happened since the last publish CloudWatch
// accepted: counter deltas (Sum over any period is then the exact total),
// latency as statistic sets (SampleCount, Sum, Minimum, Maximum of the
// values recorded in between), and the gauges' current values; all with the
// dimension DeliveryStreamName. A failed put keeps its deltas for the next
// attempt (a later success sends them, nothing is counted twice, also when
// only some of a publish's requests failed) and is logged once per streak of
// failures. Publishing never touches the send path: it only reads counters.
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "firehose/cloudwatch_types.hpp"
#include "firehose/producer.hpp"
#include "firehose/producer/latency_histogram.hpp"
#include "firehose/producer_metrics.hpp"
#include "firehose/result.hpp"
#include "protocol/cloudwatch_limits.hpp"

namespace firehose::producer {

// The metrics, by the name they are published under.
struct CounterMetric {
  std::string_view name;
  std::string_view unit;
  std::uint64_t ProducerMetrics::*field;
};
inline constexpr std::array<CounterMetric, 14> kCounterMetrics{{
    {"RecordsPut", "Count", &ProducerMetrics::records_in},
    {"RecordsRejected", "Count", &ProducerMetrics::records_rejected},
    {"RecordsAcknowledged", "Count", &ProducerMetrics::records_acknowledged},
    {"RecordsFailed", "Count", &ProducerMetrics::records_failed},
    {"RecordsRetried", "Count", &ProducerMetrics::records_retried},
    {"RecordsThrottled", "Count", &ProducerMetrics::records_throttled},
    {"RecordsDeadLettered", "Count", &ProducerMetrics::records_dead_lettered},
    {"PossibleDuplicates", "Count", &ProducerMetrics::possible_duplicates},
    {"BytesPut", "Bytes", &ProducerMetrics::bytes_in},
    {"BytesAcknowledged", "Bytes", &ProducerMetrics::bytes_acknowledged},
    {"BilledBytes", "Bytes", &ProducerMetrics::billed_bytes},
    {"RequestsSucceeded", "Count", &ProducerMetrics::requests_ok},
    {"RequestsPartiallyFailed", "Count", &ProducerMetrics::requests_partial},
    {"RequestsFailed", "Count", &ProducerMetrics::requests_failed},
}};
inline constexpr std::array<CounterMetric, 2> kGaugeMetrics{{
    {"RequestsInFlight", "Count", &ProducerMetrics::requests_in_flight},
    {"BufferedBytes", "Bytes", &ProducerMetrics::buffered_bytes},
}};
inline constexpr std::string_view kRequestLatencyMetric = "RequestLatency";  // one PutRecordBatch call
inline constexpr std::string_view kRecordLatencyMetric = "RecordLatency";    // put() to outcome
inline constexpr std::string_view kLatencyUnit = "Milliseconds";
inline constexpr std::string_view kStreamDimension = "DeliveryStreamName";

// What the publisher reads at each publish.
struct MetricsSample {
  ProducerMetrics metrics;
  LatencyHistogram::Counts request_latency;
  LatencyHistogram::Counts record_latency;
};

struct MetricsPublisherOptions {
  std::string name_space;
  std::string delivery_stream_name;
  std::chrono::milliseconds interval{std::chrono::seconds(60)};
  // PutMetricData's limits; a publish that would exceed them is split.
  std::size_t max_data_per_request = cloudwatch::limits::kMaxMetricDataPerPut;
  std::size_t max_request_bytes = cloudwatch::limits::kMaxPutPayloadBytes;
};

class MetricsPublisher {
 public:
  using PutMetricData = std::function<Status(const cloudwatch::PutMetricDataRequest&)>;
  using Source = std::function<MetricsSample()>;
  using Clock = std::function<cloudwatch::TimePoint()>;

  MetricsPublisher(
      MetricsPublisherOptions options, PutMetricData put, Source source,
      Clock clock = [] { return std::chrono::system_clock::now(); });
  ~MetricsPublisher();  // stop()
  MetricsPublisher(const MetricsPublisher&) = delete;
  MetricsPublisher& operator=(const MetricsPublisher&) = delete;

  // Starts publishing every interval on a thread of its own. Once; not after stop().
  void start();
  // One publish, now, on the calling thread (serialised with the thread's).
  // The error is the first failed request's.
  Status publish_now();
  // Stops the thread, then publishes once more. Idempotent: later calls do nothing.
  Status stop();

 private:
  struct Pending;
  std::vector<Pending> collect(const MetricsSample& sample, cloudwatch::TimePoint now) const;
  std::vector<std::vector<Pending>> split(std::vector<Pending> pending) const;
  void note(const Status& status);
  void run();

  const MetricsPublisherOptions options_;
  const PutMetricData put_;
  const Source source_;
  const Clock clock_;

  std::mutex publish_mutex_;  // one publish at a time; guards the baseline and the streak
  MetricsSample baseline_;    // what CloudWatch has, per metric
  bool failing_ = false;

  std::mutex state_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

// For Producer::create: the metrics options are consistent (a client when a
// namespace is set, a namespace CloudWatch accepts, an interval of at least 1 s).
Status validate_metrics_options(const ProducerOptions& options);
// A started publisher sending through options.metrics_client, or null when
// options.metrics_namespace is empty.
std::unique_ptr<MetricsPublisher> start_metrics_publisher(const ProducerOptions& options,
                                                          MetricsPublisher::Source source);

}  // namespace firehose::producer
