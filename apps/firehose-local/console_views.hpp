#pragma once
// What the web console shows that the control API had no endpoint for, as JSON
// (the Firehose and CloudWatch APIs have it, but they need signed requests
// under --credentials, and a browser page holds no AWS keys):
//   GET /_local/streams   every stream with its state and delivery settings
//   GET /_local/metrics   the AWS/Firehose metrics of the last minutes, per stream
// Both read-only, like GET /_local/counters.
#include <chrono>

#include <nlohmann/json.hpp>

#include "metrics/metrics_store.hpp"
#include "stream_registry.hpp"

namespace firehose::local {

// {"streams": [{name, status, created_ms, bucket, prefix, error_output_prefix,
// buffer_bytes, buffer_seconds, compression, encrypted}]}, sorted by name.
nlohmann::json streams_view(StreamRegistry& registry);

// {"period_seconds": 60, "start_ms", "end_ms", "series": [{stream, metric,
// unit, points: [{t_ms, sum, count, min, max}]}]}: each AWS/Firehose metric of
// each stream over the last `window`, per minute (the store's resolution), as
// GetMetricStatistics would answer at `now` (--metrics-delay applies).
nlohmann::json metrics_view(const MetricsStore& store, std::chrono::system_clock::time_point now,
                            std::chrono::minutes window = std::chrono::minutes(30));

}  // namespace firehose::local
