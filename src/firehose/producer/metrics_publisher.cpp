#include "firehose/producer/metrics_publisher.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

#include <fmt/format.h>

#include "core/log.hpp"
#include "core/thread_name.hpp"
#include "firehose/cloudwatch_client.hpp"
#include "firehose/timeout.hpp"
#include "protocol/cloudwatch.hpp"
#include "protocol/cloudwatch_validation.hpp"

namespace firehose::producer {

// One datum, and what to remember once CloudWatch has it.
struct MetricsPublisher::Pending {
  cloudwatch::MetricDatum datum;
  std::function<void(MetricsSample& baseline)> commit;  // empty for gauges: nothing to remember
};

namespace {

Error option_error(std::string message) { return make_error(ErrorKind::Client, "InvalidOption", std::move(message)); }

cloudwatch::MetricDatum make_datum(std::string_view name, std::string_view unit, const std::string& stream,
                                   cloudwatch::TimePoint now) {
  cloudwatch::MetricDatum datum;
  datum.metric_name = std::string(name);
  datum.dimensions = {{std::string(kStreamDimension), stream}};
  datum.timestamp = now;
  datum.unit = std::string(unit);
  return datum;
}

}  // namespace

MetricsPublisher::MetricsPublisher(MetricsPublisherOptions options, PutMetricData put, Source source, Clock clock)
    : options_(std::move(options)), put_(std::move(put)), source_(std::move(source)), clock_(std::move(clock)) {}

MetricsPublisher::~MetricsPublisher() { (void)stop(); }

void MetricsPublisher::start() {
  std::lock_guard lock(state_mutex_);
  if (stopping_ || thread_.joinable()) return;
  thread_ = std::thread([this] {
    core::name_this_thread("fh-metrics");
    run();
  });
}

void MetricsPublisher::run() {
  std::unique_lock lock(state_mutex_);
  // wait_for() adds the interval to now() unchecked: seconds::max() wrapped
  // to the past and published in a busy loop.
  while (!wake_.wait_until(lock, deadline_after(saturating_timeout(options_.interval)),
                           [this] { return stopping_; })) {
    lock.unlock();
    (void)publish_now();
    lock.lock();
  }
}

Status MetricsPublisher::stop() {
  {
    std::lock_guard lock(state_mutex_);
    if (stopped_) return {};
    stopped_ = true;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  return publish_now();
}

std::vector<MetricsPublisher::Pending> MetricsPublisher::collect(const MetricsSample& sample,
                                                                 cloudwatch::TimePoint now) const {
  const std::string& stream = options_.delivery_stream_name;
  std::vector<Pending> pending;
  for (const auto& counter : kCounterMetrics) {
    Pending entry{make_datum(counter.name, counter.unit, stream, now), {}};
    const std::uint64_t current = sample.metrics.*counter.field;
    // Counters only grow; the guard is for a source that was reset.
    const std::uint64_t published = std::min(baseline_.metrics.*counter.field, current);
    entry.datum.value = static_cast<double>(current - published);
    entry.commit = [field = counter.field, current](MetricsSample& baseline) { baseline.metrics.*field = current; };
    pending.push_back(std::move(entry));
  }
  for (const auto& gauge : kGaugeMetrics) {
    Pending entry{make_datum(gauge.name, gauge.unit, stream, now), {}};
    entry.datum.value = static_cast<double>(sample.metrics.*gauge.field);
    pending.push_back(std::move(entry));
  }
  const std::pair<std::string_view, LatencyHistogram::Counts MetricsSample::*> latencies[] = {
      {kRequestLatencyMetric, &MetricsSample::request_latency},
      {kRecordLatencyMetric, &MetricsSample::record_latency},
  };
  for (const auto& [name, field] : latencies) {
    const auto interval = LatencyHistogram::between(baseline_.*field, sample.*field);
    // CloudWatch refuses a statistic set without samples; the baseline stays.
    if (interval.count == 0) continue;
    Pending entry{make_datum(name, kLatencyUnit, stream, now), {}};
    entry.datum.statistic_values = cloudwatch::StatisticSet{static_cast<double>(interval.count), interval.sum_ms,
                                                            interval.minimum_ms, interval.maximum_ms};
    entry.commit = [field = field, counts = sample.*field](MetricsSample& baseline) { baseline.*field = counts; };
    pending.push_back(std::move(entry));
  }
  return pending;
}

std::vector<std::vector<MetricsPublisher::Pending>> MetricsPublisher::split(std::vector<Pending> pending) const {
  // Halving until each part fits: a publish is a few dozen data, so the
  // serialisations this costs do not matter, and the byte count is exact.
  std::vector<std::vector<Pending>> parts;
  std::vector<std::vector<Pending>> todo;
  todo.push_back(std::move(pending));
  while (!todo.empty()) {
    auto part = std::move(todo.back());
    todo.pop_back();
    bool fits = part.size() <= options_.max_data_per_request;
    if (fits) {
      cloudwatch::PutMetricDataRequest request{options_.name_space, {}};
      for (const auto& entry : part) request.metric_data.push_back(entry.datum);
      fits = cloudwatch::put_metric_data_body(request).size() <= options_.max_request_bytes;
    }
    if (fits || part.size() == 1) {  // a single datum too large for a request: its put fails and says why
      parts.push_back(std::move(part));
      continue;
    }
    const auto middle = part.begin() + static_cast<std::ptrdiff_t>(part.size() / 2);
    std::vector<Pending> second(std::make_move_iterator(middle), std::make_move_iterator(part.end()));
    part.erase(middle, part.end());
    todo.push_back(std::move(second));  // popped after `part`: the data keep their order
    todo.push_back(std::move(part));
  }
  return parts;
}

Status MetricsPublisher::publish_now() {
  std::lock_guard lock(publish_mutex_);
  const MetricsSample sample = source_();
  Status result;
  for (auto& part : split(collect(sample, clock_()))) {
    cloudwatch::PutMetricDataRequest request{options_.name_space, {}};
    request.metric_data.reserve(part.size());
    for (const auto& entry : part) request.metric_data.push_back(entry.datum);
    Status put = put_(request);
    if (put.ok()) {
      for (const auto& entry : part) {
        if (entry.commit) entry.commit(baseline_);
      }
    } else if (result.ok()) {
      result = std::move(put);
    }
  }
  note(result);
  return result;
}

void MetricsPublisher::note(const Status& status) {
  if (status.ok()) {
    if (failing_) logging::info("metrics publishing recovered");
    failing_ = false;
    return;
  }
  if (failing_) {
    logging::debug("publishing producer metrics to CloudWatch failed again: {}", status.error().to_string());
    return;
  }
  failing_ = true;
  logging::warn(
      "publishing producer metrics to CloudWatch (namespace {}) failed: {}; sending goes on, and the counts are "
      "kept for the next attempt (further failures are not logged until publishing recovers)",
      options_.name_space, status.error().to_string());
}

Status validate_metrics_options(const ProducerOptions& options) {
  if (options.metrics_namespace.empty()) return {};
  if (!options.metrics_client) return option_error("metrics_client is required when metrics_namespace is set");
  if (options.metrics_interval < std::chrono::seconds(1)) {
    return option_error("metrics_interval must be at least 1 second");
  }
  // The namespace (and the stream name as a dimension value) as CloudWatch would judge them.
  cloudwatch::PutMetricDataRequest probe{options.metrics_namespace, {}};
  probe.metric_data.push_back(make_datum(kCounterMetrics[0].name, kCounterMetrics[0].unit, options.delivery_stream_name,
                                         std::chrono::system_clock::now()));
  probe.metric_data.back().value = 0;
  if (auto valid = cloudwatch::validate_put_metric_data(probe); !valid) {
    return option_error(fmt::format("metrics_namespace: {}", valid.error().message));
  }
  return {};
}

std::unique_ptr<MetricsPublisher> start_metrics_publisher(const ProducerOptions& options,
                                                          MetricsPublisher::Source source) {
  if (options.metrics_namespace.empty() || !options.metrics_client) return nullptr;
  MetricsPublisherOptions publisher_options;
  publisher_options.name_space = options.metrics_namespace;
  publisher_options.delivery_stream_name = options.delivery_stream_name;
  publisher_options.interval = options.metrics_interval;
  auto publisher = std::make_unique<MetricsPublisher>(
      std::move(publisher_options),
      [client = options.metrics_client](const cloudwatch::PutMetricDataRequest& request) {
        return client->put_metric_data(request);
      },
      std::move(source));
  publisher->start();
  return publisher;
}

}  // namespace firehose::producer
