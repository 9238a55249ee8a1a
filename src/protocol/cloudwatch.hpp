#pragma once
// The CloudWatch wire protocol as botocore speaks it today: AWS JSON 1.0 with
// the awsQueryCompatible trait (the model also lists rpc-v2-cbor and query;
// botocore picks json). Request bodies, response bodies and their parsers, in
// both directions: the client builds requests and reads responses,
// firehose-local reads requests and builds responses, with the same code.
// Parameter rules (ranges, combinations) are validation.hpp's.
#include <string>
#include <string_view>

#include "firehose/cloudwatch_types.hpp"
#include "firehose/result.hpp"

namespace firehose::cloudwatch {

inline constexpr std::string_view kTargetPrefix = "GraniteServiceVersion20100801";
inline constexpr std::string_view kJsonVersion = "1.0";
inline constexpr std::string_view kContentType = "application/x-amz-json-1.0";
inline constexpr std::string_view kSigningName = "monitoring";
// Sent (and signed) by botocore on every call to a query-compatible service;
// the service then reports errors with their query codes in x-amzn-query-error
// ("Code;Sender" or "Code;Receiver").
inline constexpr std::string_view kQueryModeHeader = "x-amzn-query-mode";
inline constexpr std::string_view kQueryErrorHeader = "x-amzn-query-error";

inline constexpr std::string_view kPutMetricData = "PutMetricData";
inline constexpr std::string_view kGetMetricStatistics = "GetMetricStatistics";
inline constexpr std::string_view kGetMetricData = "GetMetricData";
inline constexpr std::string_view kListMetrics = "ListMetrics";

// Timestamps travel as epoch seconds: a JSON integer for whole seconds (what
// botocore sends), else a number with the milliseconds as the fraction.
double to_epoch_seconds(TimePoint time);       // millisecond precision (rounded down)
TimePoint from_epoch_seconds(double seconds);  // rounded to the millisecond

// ---- client: request bodies (validate first: validation.hpp) ----
std::string put_metric_data_body(const PutMetricDataRequest& request);
std::string get_metric_statistics_body(const GetMetricStatisticsRequest& request);
std::string get_metric_data_body(const GetMetricDataRequest& request);
std::string list_metrics_body(const ListMetricsRequest& request);

// ---- server: requests ----
// Structure only. A body that is not a JSON object, or a member of the wrong
// JSON type, is a SerializationException; a missing required member is
// MissingParameter ("The parameter X is required.", query-style paths such as
// MetricData.member.1.MetricName), for GetMetricData a ValidationError.
// Unknown members are ignored. PutMetricData's EntityMetricData[].MetricData
// entries are appended to metric_data (their entities are not kept).
Result<PutMetricDataRequest> parse_put_metric_data_request(std::string_view body);
Result<GetMetricStatisticsRequest> parse_get_metric_statistics_request(std::string_view body);
Result<GetMetricDataRequest> parse_get_metric_data_request(std::string_view body);
Result<ListMetricsRequest> parse_list_metrics_request(std::string_view body);

// ---- server: response bodies ----
std::string get_metric_statistics_response_body(const GetMetricStatisticsResult& result);
std::string get_metric_data_response_body(const GetMetricDataResult& result);
std::string list_metrics_response_body(const ListMetricsResult& result);

// ---- client: responses ----
// Lenient like botocore: missing members are empty, timestamps may also be
// ISO-8601 strings. A body that is not a JSON object or a member of the wrong
// type is a MalformedResponse (ErrorKind::Transient). GetMetricData also
// checks that every result has as many timestamps as values.
Result<GetMetricStatisticsResult> parse_get_metric_statistics_response(std::string_view body);
Result<GetMetricDataResult> parse_get_metric_data_response(std::string_view body);
Result<ListMetricsResult> parse_list_metrics_response(std::string_view body);

}  // namespace firehose::cloudwatch
