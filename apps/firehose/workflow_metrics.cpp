#include "workflow_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "logging.hpp"
#include "metrics_query.hpp"

namespace firehose::cli {
namespace {

constexpr std::chrono::seconds kPeriod{60};
// Often enough to see the numbers soon after CloudWatch has them; one GetMetricData call each.
constexpr std::chrono::seconds kPollInterval{5};

// CloudWatch sums are doubles; counts and bytes read better as the integers they are.
nlohmann::ordered_json number(double value) {
  if (value == std::floor(value) && std::fabs(value) < 9e15) return static_cast<std::int64_t>(value);
  return value;
}

}  // namespace

metrics::Window window_since(metrics::TimePoint since, metrics::TimePoint now) {
  using std::chrono::floor;
  metrics::Window window;
  window.period = kPeriod;
  window.start = floor<std::chrono::minutes>(since);
  const auto last = floor<std::chrono::minutes>(now);
  window.count = static_cast<std::size_t>((last - window.start) / kPeriod) + 1;
  return window;
}

std::optional<MetricTotals> totals_of(const metrics::StreamMetrics& data) {
  if (!metrics::has_datapoint(data.incoming_bytes) && !metrics::has_datapoint(data.incoming_records) &&
      !metrics::has_datapoint(data.incoming_put_requests) && !metrics::has_datapoint(data.throttled_records)) {
    return std::nullopt;
  }
  return MetricTotals{metrics::total(data.incoming_bytes), metrics::total(data.incoming_records),
                      metrics::total(data.incoming_put_requests), metrics::total(data.throttled_records)};
}

// snippet-start:[cpp.example_code.firehose.Monitoring]
MetricsReading read_back_metrics(const CloudWatchClient& client, const Session& session,
                                 const MetricsReadOptions& options, const std::string& step) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + options.wait;
  MetricsReading reading;
  for (;;) {
    const auto window = window_since(options.run_started, std::chrono::system_clock::now());
    auto fetched = metrics::fetch_stream_metrics(client, session, options.stream, window);
    if (!fetched) {
      reading.error = fetched.error().to_string();
      break;
    }
    reading.totals = totals_of(*fetched);
    reading.complete = reading.totals && reading.totals->incoming_records >= options.expected_records;
    const auto left = deadline - Clock::now();
    if (reading.complete || left <= Clock::duration::zero()) break;
    std::this_thread::sleep_for(std::min<Clock::duration>(left, kPollInterval));
  }

  nlohmann::ordered_json fields = {{"stream", options.stream}, {"step", step}};
  if (!reading.error.empty()) {
    fields["error"] = reading.error;
    log_event(spdlog::level::warn, event::kMetrics, fields,
              fmt::format("CloudWatch metrics {}: could not be read ({}); the run goes on. Look later with: {}", step,
                          reading.error, options.look_later_command));
    return reading;
  }
  fields["available"] = reading.totals.has_value();
  fields["complete"] = reading.complete;
  if (!reading.totals) {
    fields["look_later"] = options.look_later_command;
    log_event(spdlog::level::info, event::kMetrics, fields,
              fmt::format("CloudWatch metrics {}: not in yet (Firehose publishes AWS/Firehose metrics once a minute, "
                          "a few minutes late). Look later with: {}",
                          step, options.look_later_command));
    return reading;
  }
  const auto& t = *reading.totals;
  fields["incoming_bytes"] = number(t.incoming_bytes);
  fields["incoming_records"] = number(t.incoming_records);
  fields["incoming_put_requests"] = number(t.incoming_put_requests);
  fields["throttled_records"] = number(t.throttled_records);
  if (!reading.complete) fields["look_later"] = options.look_later_command;
  log_event(
      spdlog::level::info, event::kMetrics, fields,
      fmt::format("CloudWatch metrics {} (AWS/Firehose, since {:%H:%M} UTC): IncomingRecords {}, IncomingBytes {}, "
                  "IncomingPutRequests {}, ThrottledRecords {}{}",
                  step, fmt::gmtime(std::chrono::system_clock::to_time_t(options.run_started)), t.incoming_records,
                  t.incoming_bytes, t.incoming_put_requests, t.throttled_records,
                  reading.complete ? std::string()
                                   : fmt::format(" (not all in yet: {} records acknowledged; look later with: {})",
                                                 options.expected_records, options.look_later_command)));
  return reading;
}
// snippet-end:[cpp.example_code.firehose.Monitoring]

nlohmann::ordered_json to_json(const MetricsReading& reading) {
  if (!reading.error.empty()) return {{"available", false}, {"error", reading.error}};
  if (!reading.totals) return {{"available", false}};
  const auto& t = *reading.totals;
  return {{"available", true},
          {"complete", reading.complete},
          {"incoming_bytes", number(t.incoming_bytes)},
          {"incoming_records", number(t.incoming_records)},
          {"incoming_put_requests", number(t.incoming_put_requests)},
          {"throttled_records", number(t.throttled_records)}};
}

}  // namespace firehose::cli
