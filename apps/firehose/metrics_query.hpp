#pragma once
// Fetching a stream's AWS/Firehose metrics: the window of periods to ask for,
// one GetMetricData request for every metric `firehose metrics` shows, and
// the answer laid out one value per period.
#include <chrono>
#include <string>

#include "firehose/cloudwatch_client.hpp"
#include "firehose/cloudwatch_types.hpp"
#include "firehose/result.hpp"
#include "firehose/session.hpp"
#include "metrics_model.hpp"

namespace firehose::cli::metrics {

inline constexpr const char* kNamespace = "AWS/Firehose";
inline constexpr const char* kStreamDimension = "DeliveryStreamName";

// The periods covering all of the last `since`, on the grid of multiples of
// `period` since the epoch (so successive refreshes line up): from the period
// `now - since` is in to the one `now` is in (ending at `now` when it starts a
// period). That is ceil(since / period) periods, one more when `now` is off
// the grid. `period` is a positive multiple of 60.
Window window_ending_at(TimePoint now, std::chrono::seconds since, std::chrono::seconds period);

// One request for every series of StreamMetrics, oldest datapoints first.
cloudwatch::GetMetricDataRequest metric_data_request(const std::string& stream, const Window& window);

// The answer to metric_data_request, one value per period: datapoints are
// placed in the period their timestamp falls in; those outside the window
// are ignored. Missing results leave their series without datapoints.
StreamMetrics to_stream_metrics(const std::string& stream, const Window& window,
                                const cloudwatch::GetMetricDataResult& result);

// GetMetricData (every page), with the session's retries.
Result<StreamMetrics> fetch_stream_metrics(const CloudWatchClient& client, const Session& session,
                                           const std::string& stream, const Window& window);

}  // namespace firehose::cli::metrics
