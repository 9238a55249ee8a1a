#pragma once
// CloudWatch's limits for the four metric operations (service model and API
// reference, 2010-08-01), in one place for the client and firehose-local.
#include <chrono>
#include <cstddef>

namespace firehose::cloudwatch::limits {

// PutMetricData
inline constexpr std::size_t kMaxMetricDataPerPut = 1000;        // MetricData entries per call
inline constexpr std::size_t kMaxPutPayloadBytes = 1024 * 1024;  // "1 MB for HTTP POST requests"
inline constexpr std::size_t kMaxValuesPerDatum = 150;           // Values / Counts entries
inline constexpr double kMaxValueMagnitude = 0x1p360;            // values lie in [-2^360, 2^360]...
inline constexpr double kMinNonZeroMagnitude = 0x1p-360;         // ...and non-zero ones are at least 2^-360
inline constexpr std::chrono::hours kMaxTimestampAge{24 * 14};   // two weeks in the past
inline constexpr std::chrono::hours kMaxTimestampLead{2};        // two hours in the future

// Names
inline constexpr std::size_t kMaxDimensions = 30;
inline constexpr std::size_t kMaxNameLength = 255;  // namespace, metric name, dimension name, query id
inline constexpr std::size_t kMaxDimensionValueLength = 1024;

// GetMetricStatistics
inline constexpr long long kMaxStatisticsDatapoints = 1440;
inline constexpr std::size_t kMaxStatistics = 5;
inline constexpr std::size_t kMaxExtendedStatistics = 10;

// GetMetricData
inline constexpr std::size_t kMaxMetricDataQueries = 500;
inline constexpr int kDefaultMaxDatapoints = 100'800;

// ListMetrics
inline constexpr std::size_t kMaxDimensionFilters = 10;
inline constexpr std::size_t kListMetricsPageSize = 500;

}  // namespace firehose::cloudwatch::limits
