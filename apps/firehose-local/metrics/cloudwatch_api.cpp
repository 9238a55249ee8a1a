#include "metrics/cloudwatch_api.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/crypto.hpp"
#include "metrics/next_tokens.hpp"
#include "protocol/cloudwatch.hpp"
#include "protocol/cloudwatch_errors.hpp"
#include "protocol/cloudwatch_limits.hpp"
#include "protocol/cloudwatch_validation.hpp"

namespace firehose::local {
namespace {

namespace cw = firehose::cloudwatch;
using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

constexpr std::chrono::hours kRecentlyActiveWindow{3};  // RecentlyActive=PT3H

// `__type` is the model's exception shape and x-amzn-query-error carries the
// query code, which is what query-compatible clients (botocore) report.
ApiResponse cloudwatch_error(const Error& error) {
  const int status = error.http_status == 0 ? cw::error_status(error.code) : error.http_status;
  ApiResponse response = error_response(status, cw::error_type(error.code), error.message, cw::kContentType);
  response.headers.emplace_back(std::string(cw::kQueryErrorHeader),
                                error.code + (status >= 500 ? ";Receiver" : ";Sender"));
  return response;
}

MetricKey key_of(const cw::Metric& metric) {
  MetricKey key{metric.name_space, metric.metric_name, {}};
  for (const auto& d : metric.dimensions) key.dimensions.emplace_back(d.name, d.value);
  std::sort(key.dimensions.begin(), key.dimensions.end());
  return key;
}

cw::Metric metric_of(const MetricKey& key) {
  cw::Metric metric{key.name_space, key.metric_name, {}};
  for (const auto& [name, value] : key.dimensions) metric.dimensions.push_back({name, value});
  return metric;
}

// The value of one statistic over a period, when the stored statistic set
// determines it: a percentile only when all samples were equal.
std::optional<double> statistic_value(const cw::StatisticName& stat, const StatisticSet& set) {
  switch (stat.kind) {
    case cw::Statistic::SampleCount: return set.sample_count;
    case cw::Statistic::Average: return set.sum / set.sample_count;
    case cw::Statistic::Sum: return set.sum;
    case cw::Statistic::Minimum: return set.minimum;
    case cw::Statistic::Maximum: return set.maximum;
    case cw::Statistic::Percentile:
      if (set.minimum == set.maximum) return set.minimum;
      return std::nullopt;
  }
  return std::nullopt;
}

// Stored data is per minute: a sub-minute period has nothing to aggregate.
bool stored_resolution_serves(int period) { return period % 60 == 0; }

Result<std::string> put_metric_data(MetricsStore& store, std::string_view body, TimePoint now) {
  if (body.size() > cw::limits::kMaxPutPayloadBytes) {
    return cw::service_error(cw::kRequestEntityTooLarge, fmt::format("Request size {} exceeded {} bytes", body.size(),
                                                                     cw::limits::kMaxPutPayloadBytes));
  }
  auto request = cw::parse_put_metric_data_request(body);
  if (!request) return request.error();
  if (auto valid = cw::validate_put_metric_data(*request); !valid) return valid.error();
  if (auto valid = cw::validate_put_metric_data_timestamps(*request, now); !valid) return valid.error();

  for (const auto& datum : request->metric_data) {
    const MetricKey key = key_of({request->name_space, datum.metric_name, datum.dimensions});
    StatisticSet set;
    if (datum.value) {
      set.add(*datum.value);
    } else if (datum.statistic_values) {
      const auto& given = *datum.statistic_values;
      set = {given.sample_count, given.sum, given.minimum, given.maximum};
    } else {
      for (std::size_t i = 0; i < datum.values.size(); ++i) {
        const double count = datum.counts.empty() ? 1.0 : datum.counts[i];
        if (count <= 0) continue;
        set.merge({count, datum.values[i] * count, datum.values[i], datum.values[i]});
      }
    }
    store.record_set(key, set, datum.unit, datum.timestamp.value_or(now), now);
  }
  return std::string("{}");
}

Result<std::string> get_metric_statistics(const MetricsStore& store, std::string_view body, TimePoint now) {
  auto request = cw::parse_get_metric_statistics_request(body);
  if (!request) return request.error();
  if (auto valid = cw::validate_get_metric_statistics(*request); !valid) return valid.error();

  std::vector<std::pair<std::string, cw::StatisticName>> wanted;
  for (const auto& name : request->statistics) wanted.emplace_back(name, *cw::parse_statistic(name));
  for (const auto& name : request->extended_statistics) wanted.emplace_back(name, *cw::parse_statistic(name));

  cw::GetMetricStatisticsResult result;
  result.label = request->metric_name;
  if (stored_resolution_serves(request->period)) {
    const auto points =
        store.query(key_of({request->name_space, request->metric_name, request->dimensions}), request->start_time,
                    request->end_time, std::chrono::seconds(request->period), now, request->unit);
    for (const auto& point : points) {
      cw::Datapoint out;
      out.timestamp = point.timestamp;
      out.unit = point.unit;
      for (const auto& [name, stat] : wanted) {
        const auto value = statistic_value(stat, point.statistics);
        if (!value) continue;
        switch (stat.kind) {
          case cw::Statistic::SampleCount: out.sample_count = value; break;
          case cw::Statistic::Average: out.average = value; break;
          case cw::Statistic::Sum: out.sum = value; break;
          case cw::Statistic::Minimum: out.minimum = value; break;
          case cw::Statistic::Maximum: out.maximum = value; break;
          case cw::Statistic::Percentile: out.extended_statistics[name] = *value; break;
        }
      }
      result.datapoints.push_back(std::move(out));
    }
  }
  return cw::get_metric_statistics_response_body(result);
}

// ---- GetMetricData ----

struct Item {
  std::int64_t timestamp_ms;
  std::size_t query;  // index into the request's queries
  double value;
};

std::int64_t epoch_ms(TimePoint time) { return std::chrono::floor<milliseconds>(time.time_since_epoch()).count(); }

// Identifies a request apart from its paging parameters.
std::string fingerprint(cw::GetMetricDataRequest request) {
  request.next_token.clear();
  request.max_datapoints.reset();
  return aws::crypto::sha256_hex(cw::get_metric_data_body(request)).substr(0, 16);
}

// firehose-local computes the five statistics and percentiles of metrics, nothing else.
Status check_supported(const cw::GetMetricDataRequest& request) {
  for (std::size_t i = 0; i < request.queries.size(); ++i) {
    const auto& query = request.queries[i];
    if (!query.expression.empty()) {
      return cw::service_error(cw::kValidationError,
                               fmt::format("MetricDataQueries.member.{}.Expression: firehose-local does not evaluate "
                                           "metric math or Metrics Insights expressions.",
                                           i + 1));
    }
    if (!cw::parse_statistic(query.metric_stat->stat)) {
      return cw::service_error(cw::kValidationError,
                               fmt::format("The value {} for parameter MetricDataQueries.member.{}.MetricStat.Stat is "
                                           "not supported by firehose-local (SampleCount, Average, Sum, Minimum, "
                                           "Maximum, pNN).",
                                           query.metric_stat->stat, i + 1));
    }
  }
  return {};
}

// One query's (timestamp, value) pairs: units merged unless the query names one.
std::vector<Item> query_items(const MetricsStore& store, const cw::GetMetricDataRequest& request, std::size_t index,
                              TimePoint now) {
  const cw::MetricStat& metric_stat = *request.queries[index].metric_stat;
  std::vector<Item> items;
  if (!stored_resolution_serves(metric_stat.period)) return items;
  const auto stat = *cw::parse_statistic(metric_stat.stat);
  const auto points = store.query(key_of(metric_stat.metric), request.start_time, request.end_time,
                                  std::chrono::seconds(metric_stat.period), now, metric_stat.unit);
  std::map<std::int64_t, StatisticSet> by_time;
  for (const auto& point : points) by_time[epoch_ms(point.timestamp)].merge(point.statistics);
  for (const auto& [timestamp_ms, set] : by_time) {
    if (auto value = statistic_value(stat, set)) items.push_back({timestamp_ms, index, *value});
  }
  return items;
}

Result<std::string> get_metric_data(const MetricsStore& store, std::string_view body, TimePoint now) {
  auto request = cw::parse_get_metric_data_request(body);
  if (!request) return request.error();
  if (auto valid = cw::validate_get_metric_data(*request); !valid) return valid.error();
  if (auto supported = check_supported(*request); !supported) return supported.error();

  const std::string request_fingerprint = fingerprint(*request);
  std::optional<MetricDataPosition> after;
  if (!request->next_token.empty()) {
    after = decode_metric_data_token(request->next_token);
    if (!after || after->request_fingerprint != request_fingerprint) {
      return cw::service_error(cw::kInvalidNextToken, "The NextToken is not valid for this request.");
    }
  }

  std::vector<std::size_t> returned;  // indexes of the queries whose data is returned, in request order
  std::vector<Item> items;
  for (std::size_t i = 0; i < request->queries.size(); ++i) {
    if (!request->queries[i].return_data.value_or(true)) continue;
    returned.push_back(i);
    auto query = query_items(store, *request, i, now);
    items.insert(items.end(), query.begin(), query.end());
  }
  // The pages walk time in ScanBy order across all queries, as CloudWatch paginates.
  const bool ascending = request->scan_by == "TimestampAscending";
  auto before = [ascending](std::int64_t t1, std::size_t q1, std::int64_t t2, std::size_t q2) {
    if (t1 != t2) return ascending ? t1 < t2 : t1 > t2;
    return q1 < q2;
  };
  std::sort(items.begin(), items.end(),
            [&](const Item& a, const Item& b) { return before(a.timestamp_ms, a.query, b.timestamp_ms, b.query); });
  auto first = items.begin();
  if (after) {
    first = std::partition_point(items.begin(), items.end(), [&](const Item& item) {
      return !before(after->timestamp_ms, after->query_index, item.timestamp_ms, item.query);
    });
  }
  const auto page_size = static_cast<std::size_t>(request->max_datapoints.value_or(cw::limits::kDefaultMaxDatapoints));
  const auto last = items.end() - first > static_cast<std::ptrdiff_t>(page_size) ? first + page_size : items.end();

  cw::GetMetricDataResult result;
  std::map<std::size_t, std::size_t> slot;  // query index -> position in result.results
  for (std::size_t index : returned) {
    const auto& query = request->queries[index];
    slot[index] = result.results.size();
    cw::MetricDataResult r;
    r.id = query.id;
    r.label = query.label.empty() ? query.metric_stat->metric.metric_name : query.label;
    r.status_code = "Complete";
    result.results.push_back(std::move(r));
  }
  for (auto it = first; it != last; ++it) {
    auto& r = result.results[slot[it->query]];
    r.timestamps.emplace_back(milliseconds(it->timestamp_ms));
    r.values.push_back(it->value);
  }
  if (last != items.end()) {
    for (auto it = last; it != items.end(); ++it) result.results[slot[it->query]].status_code = "PartialData";
    const Item& final_item = *(last - 1);
    result.next_token = encode_metric_data_token({request_fingerprint, final_item.timestamp_ms, final_item.query});
  }
  return cw::get_metric_data_response_body(result);
}

// ---- ListMetrics ----

Result<std::string> list_metrics(const MetricsStore& store, std::string_view body, TimePoint now) {
  auto request = cw::parse_list_metrics_request(body);
  if (!request) return request.error();
  if (auto valid = cw::validate_list_metrics(*request); !valid) return valid.error();

  std::optional<MetricKey> after;
  if (!request->next_token.empty()) {
    after = decode_list_metrics_token(request->next_token);
    if (!after) return cw::service_error(cw::kInvalidParameterValue, "Request parameter NextToken is invalid");
  }
  Dimensions filter;
  for (const auto& d : request->dimensions) filter.emplace_back(d.name, d.value.value_or(""));
  const auto keys = request->recently_active.empty()
                        ? store.list(request->name_space, request->metric_name, filter)
                        : store.list(request->name_space, request->metric_name, filter, now - kRecentlyActiveWindow);

  auto first = after ? std::upper_bound(keys.begin(), keys.end(), *after) : keys.begin();
  const auto remaining = static_cast<std::size_t>(keys.end() - first);
  const auto last =
      remaining > cw::limits::kListMetricsPageSize ? first + cw::limits::kListMetricsPageSize : keys.end();
  cw::ListMetricsResult result;
  for (auto it = first; it != last; ++it) result.metrics.push_back(metric_of(*it));
  if (last != keys.end()) result.next_token = encode_list_metrics_token(*(last - 1));
  return cw::list_metrics_response_body(result);
}

}  // namespace

CloudWatchApi::CloudWatchApi(MetricsStore& store) : store_(store) {}

ApiResponse CloudWatchApi::handle(std::string_view operation, std::string_view body, TimePoint now) {
  if (operation.size() > cw::kTargetPrefix.size() &&
      operation.substr(0, cw::kTargetPrefix.size()) == cw::kTargetPrefix &&
      operation[cw::kTargetPrefix.size()] == '.') {
    operation.remove_prefix(cw::kTargetPrefix.size() + 1);
  }
  Result<std::string> answer = std::string();
  if (operation == cw::kPutMetricData) {
    answer = put_metric_data(store_, body, now);
  } else if (operation == cw::kGetMetricStatistics) {
    answer = get_metric_statistics(store_, body, now);
  } else if (operation == cw::kGetMetricData) {
    answer = get_metric_data(store_, body, now);
  } else if (operation == cw::kListMetrics) {
    answer = list_metrics(store_, body, now);
  } else {
    answer = cw::service_error(cw::kUnknownOperation,
                               fmt::format("Operation {} is not supported by firehose-local's CloudWatch endpoint "
                                           "(PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics).",
                                           operation));
  }
  if (!answer) return cloudwatch_error(answer.error());
  return json_response(std::move(answer).value(), cw::kContentType);
}

}  // namespace firehose::local
