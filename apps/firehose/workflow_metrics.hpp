#pragma once
// The workflow's metric read-back: the stream's AWS/Firehose metrics from
// CloudWatch (GetMetricData through metrics_query, dimension
// DeliveryStreamName) since the minute the run began: IncomingBytes,
// IncomingRecords, IncomingPutRequests, ThrottledRecords. Firehose publishes
// them minutes late, so the read polls for up to a wait and otherwise says
// plainly that the numbers are not in yet and how to look later. It never
// shows a number CloudWatch did not give.
#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "firehose/cloudwatch_client.hpp"
#include "firehose/session.hpp"
#include "metrics_model.hpp"

namespace firehose::cli {

struct MetricTotals {
  double incoming_bytes = 0;
  double incoming_records = 0;
  double incoming_put_requests = 0;
  double throttled_records = 0;
};

struct MetricsReading {
  std::optional<MetricTotals> totals;  // nullopt: no datapoint in the window yet
  bool complete = false;               // IncomingRecords reached what the run had acknowledged
  std::string error;                   // the read failed (logged; the run goes on)
};

// The window of one-minute periods from the minute containing `since` to the one containing `now`.
metrics::Window window_since(metrics::TimePoint since, metrics::TimePoint now);
// Totals of the four metrics; nullopt when none has a datapoint.
std::optional<MetricTotals> totals_of(const metrics::StreamMetrics& data);

struct MetricsReadOptions {
  std::string stream;
  metrics::TimePoint run_started;
  std::chrono::seconds wait{0};    // --metrics-wait
  double expected_records = 0;     // records acknowledged so far
  std::string look_later_command;  // the `firehose metrics ...` line for later
};

// Reads (and polls up to `wait`), then logs one `metrics` event for `step`
// ("after PutRecord", "after PutRecordBatch").
MetricsReading read_back_metrics(const CloudWatchClient& client, const Session& session,
                                 const MetricsReadOptions& options, const std::string& step);

// The JSON form of a reading, for the summary.
nlohmann::ordered_json to_json(const MetricsReading& reading);

}  // namespace firehose::cli
