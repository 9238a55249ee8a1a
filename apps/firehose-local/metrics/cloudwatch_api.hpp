#pragma once
// firehose-local's CloudWatch endpoint: the metric operations (PutMetricData,
// GetMetricStatistics, GetMetricData, ListMetrics) answered from a
// MetricsStore, in AWS JSON 1.0 with CloudWatch's query-compatible errors
// (`__type` the model's exception shape, x-amzn-query-error "Code;Sender").
// The HTTP layer routes here every request whose X-Amz-Target starts with
// GraniteServiceVersion20100801., after verifying its signature.
//
// What differs from CloudWatch, on purpose or for lack of raw data:
// - data is kept per minute: periods of 1-30 s are accepted but answer no
//   datapoints (CloudWatch has such data only for high-resolution metrics);
// - percentiles (pNN) are answered only where every sample of the period had
//   the same value (minimum == maximum); otherwise the statistic is left out;
// - GetMetricData evaluates no expressions (metric math, Metrics Insights):
//   such queries are a ValidationError, as are statistics other than the five
//   and percentiles;
// - ListMetrics lists a metric as soon as it has a sample.
#include <chrono>
#include <string_view>

#include "api_response.hpp"
#include "metrics/metrics_store.hpp"

namespace firehose::local {

class CloudWatchApi {
 public:
  explicit CloudWatchApi(MetricsStore& store);

  // `operation` is the X-Amz-Target after "GraniteServiceVersion20100801."
  // (the whole target is accepted too); `now` is when the request arrived.
  // Unknown operations answer UnknownOperationException (400).
  ApiResponse handle(std::string_view operation, std::string_view body, std::chrono::system_clock::time_point now);

 private:
  MetricsStore& store_;
};

}  // namespace firehose::local
