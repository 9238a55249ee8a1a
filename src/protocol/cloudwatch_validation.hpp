#pragma once
// CloudWatch's parameter rules for the metric operations, answered the way
// the service answers them (query codes from errors.hpp, query-style parameter
// paths such as MetricData.member.3.Value). The client checks a request
// before sending it; firehose-local checks what it received, with the same code.
#include <optional>
#include <string_view>

#include "firehose/cloudwatch_types.hpp"
#include "firehose/result.hpp"

namespace firehose::cloudwatch {

enum class Statistic { SampleCount, Average, Sum, Minimum, Maximum, Percentile };

struct StatisticName {
  Statistic kind = Statistic::Sum;
  double percentile = 0;  // 0..100, for Statistic::Percentile
};

// "SampleCount", "Average", "Sum", "Minimum", "Maximum", or a percentile
// "pNN" / "pNN.N..." between p0 and p100; nullopt for anything else.
std::optional<StatisticName> parse_statistic(std::string_view name);

// One of the model's StandardUnit values ("Count", "Bytes/Second", "None", ...).
bool is_standard_unit(std::string_view unit);

// A positive multiple of 60, or 1, 5, 10, 20 or 30 (high-resolution periods).
bool is_valid_period(int period);

// The periods GetMetricStatistics would answer for [start, end): the start is
// first rounded down to the period's grid (the minute, or the 1-30 s division
// of it), as CloudWatch does.
long long requested_periods(TimePoint start, TimePoint end, int period);

// Each returns the first rule the request breaks. They check what a request
// says, not the service's state or clock; GetMetricData's Stat and Expression
// are only checked to be present (CloudWatch knows more statistics than the
// five and percentiles).
Status validate_put_metric_data(const PutMetricDataRequest& request);
Status validate_get_metric_statistics(const GetMetricStatisticsRequest& request);
Status validate_get_metric_data(const GetMetricDataRequest& request);
Status validate_list_metrics(const ListMetricsRequest& request);

// PutMetricData's time window, relative to when the service receives the
// data: at most two weeks back and two hours ahead (InvalidParameterValue).
Status validate_put_metric_data_timestamps(const PutMetricDataRequest& request, TimePoint now);

}  // namespace firehose::cloudwatch
