#pragma once
// The NextTokens firehose-local hands out: opaque to clients, stateless here.
// Each names the last item already returned, so the next page starts right
// after it even when samples arrived in between.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "metrics/metrics_store.hpp"

namespace firehose::local {

// GetMetricData: the last (timestamp, query index) returned, and a
// fingerprint of the request it belongs to (a token is refused for another one).
struct MetricDataPosition {
  std::string request_fingerprint;
  std::int64_t timestamp_ms = 0;
  std::size_t query_index = 0;
  bool operator==(const MetricDataPosition&) const = default;
};

std::string encode_metric_data_token(const MetricDataPosition& position);
std::optional<MetricDataPosition> decode_metric_data_token(std::string_view token);

// ListMetrics: the last metric returned (metrics are listed in MetricKey order).
std::string encode_list_metrics_token(const MetricKey& last);
std::optional<MetricKey> decode_list_metrics_token(std::string_view token);

}  // namespace firehose::local
