#include "protocol/cloudwatch.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/timestamp.hpp"
#include "protocol/cloudwatch_errors.hpp"
#include "protocol/cloudwatch_reader.hpp"

namespace firehose::cloudwatch {
namespace {

using detail::parse_body;
using detail::Reader;
using nlohmann::json;
using std::chrono::milliseconds;

json timestamp_json(TimePoint time) {
  const auto ms = std::chrono::floor<milliseconds>(time.time_since_epoch()).count();
  if (ms % 1000 == 0) return json(ms / 1000);
  return json(static_cast<double>(ms) / 1000.0);
}

json dimensions_json(const std::vector<Dimension>& dimensions) {
  json list = json::array();
  for (const auto& d : dimensions) list.push_back({{"Name", d.name}, {"Value", d.value}});
  return list;
}

json metric_json(const Metric& metric) {
  json object = json::object();
  if (!metric.name_space.empty()) object["Namespace"] = metric.name_space;
  if (!metric.metric_name.empty()) object["MetricName"] = metric.metric_name;
  object["Dimensions"] = dimensions_json(metric.dimensions);
  return object;
}

json messages_json(const std::vector<MessageData>& messages) {
  json list = json::array();
  for (const auto& m : messages) list.push_back({{"Code", m.code}, {"Value", m.value}});
  return list;
}

MetricDatum read_datum(Reader& reader, const json& element, const std::string& prefix) {
  MetricDatum datum;
  datum.metric_name = reader.text(element, prefix, "MetricName", true).value_or("");
  datum.dimensions = reader.dimensions(element, prefix, "Dimensions");
  datum.timestamp = reader.timestamp(element, prefix, "Timestamp");
  datum.value = reader.number(element, prefix, "Value");
  if (const json* set = reader.structure(element, prefix, "StatisticValues", false)) {
    const std::string inner = prefix + "StatisticValues.";
    const json& object = *set;
    StatisticSet values;
    values.sample_count = reader.number(object, inner, "SampleCount", true).value_or(0);
    values.sum = reader.number(object, inner, "Sum", true).value_or(0);
    values.minimum = reader.number(object, inner, "Minimum", true).value_or(0);
    values.maximum = reader.number(object, inner, "Maximum", true).value_or(0);
    datum.statistic_values = values;
  }
  datum.values = reader.numbers(element, prefix, "Values");
  datum.counts = reader.numbers(element, prefix, "Counts");
  datum.unit = reader.text(element, prefix, "Unit").value_or("");
  datum.storage_resolution = reader.integer(element, prefix, "StorageResolution");
  return datum;
}

Datapoint read_datapoint(Reader& reader, const json& element, const std::string& prefix) {
  Datapoint point;
  point.timestamp = reader.timestamp(element, prefix, "Timestamp").value_or(TimePoint{});
  point.sample_count = reader.number(element, prefix, "SampleCount");
  point.average = reader.number(element, prefix, "Average");
  point.sum = reader.number(element, prefix, "Sum");
  point.minimum = reader.number(element, prefix, "Minimum");
  point.maximum = reader.number(element, prefix, "Maximum");
  point.unit = reader.text(element, prefix, "Unit").value_or("");
  if (const json* extended = reader.structure(element, prefix, "ExtendedStatistics", false)) {
    for (const auto& [name, value] : extended->items()) {
      if (auto number = reader.number(value, prefix + "ExtendedStatistics." + name)) {
        point.extended_statistics[name] = *number;
      }
    }
  }
  return point;
}

}  // namespace

double to_epoch_seconds(TimePoint time) {
  const auto ms = std::chrono::floor<milliseconds>(time.time_since_epoch()).count();
  return static_cast<double>(ms) / 1000.0;
}

TimePoint from_epoch_seconds(double seconds) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(milliseconds(std::llround(seconds * 1000.0))));
}

// ---- client: request bodies ----

std::string put_metric_data_body(const PutMetricDataRequest& request) {
  json data = json::array();
  for (const auto& datum : request.metric_data) {
    json entry = {{"MetricName", datum.metric_name}};
    if (!datum.dimensions.empty()) entry["Dimensions"] = dimensions_json(datum.dimensions);
    if (datum.timestamp) entry["Timestamp"] = timestamp_json(*datum.timestamp);
    if (datum.value) entry["Value"] = *datum.value;
    if (datum.statistic_values) {
      const auto& set = *datum.statistic_values;
      entry["StatisticValues"] = {
          {"SampleCount", set.sample_count}, {"Sum", set.sum}, {"Minimum", set.minimum}, {"Maximum", set.maximum}};
    }
    if (!datum.values.empty()) entry["Values"] = datum.values;
    if (!datum.counts.empty()) entry["Counts"] = datum.counts;
    if (!datum.unit.empty()) entry["Unit"] = datum.unit;
    if (datum.storage_resolution) entry["StorageResolution"] = *datum.storage_resolution;
    data.push_back(std::move(entry));
  }
  return json{{"Namespace", request.name_space}, {"MetricData", std::move(data)}}.dump();
}

std::string get_metric_statistics_body(const GetMetricStatisticsRequest& request) {
  json body = {{"Namespace", request.name_space},
               {"MetricName", request.metric_name},
               {"StartTime", timestamp_json(request.start_time)},
               {"EndTime", timestamp_json(request.end_time)},
               {"Period", request.period}};
  if (!request.dimensions.empty()) body["Dimensions"] = dimensions_json(request.dimensions);
  if (!request.statistics.empty()) body["Statistics"] = request.statistics;
  if (!request.extended_statistics.empty()) body["ExtendedStatistics"] = request.extended_statistics;
  if (!request.unit.empty()) body["Unit"] = request.unit;
  return body.dump();
}

std::string get_metric_data_body(const GetMetricDataRequest& request) {
  json queries = json::array();
  for (const auto& query : request.queries) {
    json entry = {{"Id", query.id}};
    if (query.metric_stat) {
      const auto& stat = *query.metric_stat;
      json metric_stat = {{"Metric", metric_json(stat.metric)}, {"Period", stat.period}, {"Stat", stat.stat}};
      if (!stat.unit.empty()) metric_stat["Unit"] = stat.unit;
      entry["MetricStat"] = std::move(metric_stat);
    }
    if (!query.expression.empty()) entry["Expression"] = query.expression;
    if (!query.label.empty()) entry["Label"] = query.label;
    if (query.return_data) entry["ReturnData"] = *query.return_data;
    if (query.period) entry["Period"] = *query.period;
    queries.push_back(std::move(entry));
  }
  json body = {{"MetricDataQueries", std::move(queries)},
               {"StartTime", timestamp_json(request.start_time)},
               {"EndTime", timestamp_json(request.end_time)}};
  if (!request.next_token.empty()) body["NextToken"] = request.next_token;
  if (!request.scan_by.empty()) body["ScanBy"] = request.scan_by;
  if (request.max_datapoints) body["MaxDatapoints"] = *request.max_datapoints;
  return body.dump();
}

std::string list_metrics_body(const ListMetricsRequest& request) {
  json body = json::object();
  if (!request.name_space.empty()) body["Namespace"] = request.name_space;
  if (!request.metric_name.empty()) body["MetricName"] = request.metric_name;
  if (!request.dimensions.empty()) {
    json filters = json::array();
    for (const auto& filter : request.dimensions) {
      json entry = {{"Name", filter.name}};
      if (filter.value) entry["Value"] = *filter.value;
      filters.push_back(std::move(entry));
    }
    body["Dimensions"] = std::move(filters);
  }
  if (!request.next_token.empty()) body["NextToken"] = request.next_token;
  if (!request.recently_active.empty()) body["RecentlyActive"] = request.recently_active;
  return body.dump();
}

// ---- server: requests ----

Result<PutMetricDataRequest> parse_put_metric_data_request(std::string_view body) {
  auto object = parse_body(body, Reader::Side::Server);
  if (!object) return object.error();
  Reader reader(Reader::Side::Server, kMissingParameter);
  PutMetricDataRequest request;
  request.name_space = reader.text(*object, "", "Namespace", true).value_or("");
  auto read_data = [&](const json& holder, const std::string& prefix) {
    reader.objects(holder, prefix, "MetricData", false, [&](const json& element, const std::string& element_prefix) {
      request.metric_data.push_back(read_datum(reader, element, element_prefix));
    });
  };
  read_data(*object, "");
  reader.objects(*object, "", "EntityMetricData", false,
                 [&](const json& element, const std::string& prefix) { read_data(element, prefix); });
  if (reader.failed()) return reader.error();
  return request;
}

Result<GetMetricStatisticsRequest> parse_get_metric_statistics_request(std::string_view body) {
  auto object = parse_body(body, Reader::Side::Server);
  if (!object) return object.error();
  Reader reader(Reader::Side::Server, kMissingParameter);
  GetMetricStatisticsRequest request;
  request.name_space = reader.text(*object, "", "Namespace", true).value_or("");
  request.metric_name = reader.text(*object, "", "MetricName", true).value_or("");
  request.dimensions = reader.dimensions(*object, "", "Dimensions");
  request.start_time = reader.timestamp(*object, "", "StartTime", true).value_or(TimePoint{});
  request.end_time = reader.timestamp(*object, "", "EndTime", true).value_or(TimePoint{});
  request.period = reader.integer(*object, "", "Period", true).value_or(0);
  request.statistics = reader.strings(*object, "", "Statistics");
  request.extended_statistics = reader.strings(*object, "", "ExtendedStatistics");
  request.unit = reader.text(*object, "", "Unit").value_or("");
  if (reader.failed()) return reader.error();
  return request;
}

Result<GetMetricDataRequest> parse_get_metric_data_request(std::string_view body) {
  auto object = parse_body(body, Reader::Side::Server);
  if (!object) return object.error();
  Reader reader(Reader::Side::Server, kValidationError);
  GetMetricDataRequest request;
  reader.objects(*object, "", "MetricDataQueries", true, [&](const json& element, const std::string& prefix) {
    MetricDataQuery query;
    query.id = reader.text(element, prefix, "Id", true).value_or("");
    if (const json* stat = reader.structure(element, prefix, "MetricStat", false)) {
      const std::string inner = prefix + "MetricStat.";
      const json& stat_object = *stat;
      MetricStat metric_stat;
      metric_stat.metric = reader.metric(stat_object, inner, "Metric", true).value_or(Metric{});
      metric_stat.period = reader.integer(stat_object, inner, "Period", true).value_or(0);
      metric_stat.stat = reader.text(stat_object, inner, "Stat", true).value_or("");
      metric_stat.unit = reader.text(stat_object, inner, "Unit").value_or("");
      query.metric_stat = std::move(metric_stat);
    }
    query.expression = reader.text(element, prefix, "Expression").value_or("");
    query.label = reader.text(element, prefix, "Label").value_or("");
    query.return_data = reader.boolean(element, prefix, "ReturnData");
    query.period = reader.integer(element, prefix, "Period");
    request.queries.push_back(std::move(query));
  });
  request.start_time = reader.timestamp(*object, "", "StartTime", true).value_or(TimePoint{});
  request.end_time = reader.timestamp(*object, "", "EndTime", true).value_or(TimePoint{});
  request.next_token = reader.text(*object, "", "NextToken").value_or("");
  request.scan_by = reader.text(*object, "", "ScanBy").value_or("");
  request.max_datapoints = reader.integer(*object, "", "MaxDatapoints");
  if (reader.failed()) return reader.error();
  return request;
}

Result<ListMetricsRequest> parse_list_metrics_request(std::string_view body) {
  auto object = parse_body(body, Reader::Side::Server);
  if (!object) return object.error();
  Reader reader(Reader::Side::Server, kMissingParameter);
  ListMetricsRequest request;
  request.name_space = reader.text(*object, "", "Namespace").value_or("");
  request.metric_name = reader.text(*object, "", "MetricName").value_or("");
  reader.objects(*object, "", "Dimensions", false, [&](const json& element, const std::string& prefix) {
    DimensionFilter filter;
    filter.name = reader.text(element, prefix, "Name", true).value_or("");
    filter.value = reader.text(element, prefix, "Value");
    request.dimensions.push_back(std::move(filter));
  });
  request.next_token = reader.text(*object, "", "NextToken").value_or("");
  request.recently_active = reader.text(*object, "", "RecentlyActive").value_or("");
  if (reader.failed()) return reader.error();
  return request;
}

// ---- server: response bodies ----

std::string get_metric_statistics_response_body(const GetMetricStatisticsResult& result) {
  json points = json::array();
  for (const auto& point : result.datapoints) {
    json entry = {{"Timestamp", timestamp_json(point.timestamp)}};
    if (point.sample_count) entry["SampleCount"] = *point.sample_count;
    if (point.average) entry["Average"] = *point.average;
    if (point.sum) entry["Sum"] = *point.sum;
    if (point.minimum) entry["Minimum"] = *point.minimum;
    if (point.maximum) entry["Maximum"] = *point.maximum;
    if (!point.unit.empty()) entry["Unit"] = point.unit;
    if (!point.extended_statistics.empty()) entry["ExtendedStatistics"] = point.extended_statistics;
    points.push_back(std::move(entry));
  }
  return json{{"Label", result.label}, {"Datapoints", std::move(points)}}.dump();
}

std::string get_metric_data_response_body(const GetMetricDataResult& result) {
  json results = json::array();
  for (const auto& r : result.results) {
    json timestamps = json::array();
    for (const auto& t : r.timestamps) timestamps.push_back(timestamp_json(t));
    json entry = {{"Id", r.id},
                  {"Label", r.label},
                  {"Timestamps", std::move(timestamps)},
                  {"Values", r.values},
                  {"StatusCode", r.status_code}};
    if (!r.messages.empty()) entry["Messages"] = messages_json(r.messages);
    results.push_back(std::move(entry));
  }
  json body = {{"MetricDataResults", std::move(results)}, {"Messages", messages_json(result.messages)}};
  if (!result.next_token.empty()) body["NextToken"] = result.next_token;
  return body.dump();
}

std::string list_metrics_response_body(const ListMetricsResult& result) {
  json metrics = json::array();
  for (const auto& metric : result.metrics) metrics.push_back(metric_json(metric));
  json body = {{"Metrics", std::move(metrics)}};
  if (!result.next_token.empty()) body["NextToken"] = result.next_token;
  return body.dump();
}

// ---- client: responses ----

Result<GetMetricStatisticsResult> parse_get_metric_statistics_response(std::string_view body) {
  auto object = parse_body(body, Reader::Side::Client);
  if (!object) return object.error();
  Reader reader(Reader::Side::Client, {});
  GetMetricStatisticsResult result;
  result.label = reader.text(*object, "", "Label").value_or("");
  reader.objects(*object, "", "Datapoints", false, [&](const json& element, const std::string& prefix) {
    result.datapoints.push_back(read_datapoint(reader, element, prefix));
  });
  if (reader.failed()) return reader.error();
  return result;
}

Result<GetMetricDataResult> parse_get_metric_data_response(std::string_view body) {
  auto object = parse_body(body, Reader::Side::Client);
  if (!object) return object.error();
  Reader reader(Reader::Side::Client, {});
  GetMetricDataResult result;
  reader.objects(*object, "", "MetricDataResults", false, [&](const json& element, const std::string& prefix) {
    MetricDataResult r;
    r.id = reader.text(element, prefix, "Id").value_or("");
    r.label = reader.text(element, prefix, "Label").value_or("");
    reader.elements(element, prefix, "Timestamps", [&](const json& t, const std::string& path) {
      if (auto time = reader.timestamp(t, path)) r.timestamps.push_back(*time);
    });
    r.values = reader.numbers(element, prefix, "Values");
    r.status_code = reader.text(element, prefix, "StatusCode").value_or("");
    r.messages = reader.messages(element, prefix, "Messages");
    result.results.push_back(std::move(r));
  });
  result.next_token = reader.text(*object, "", "NextToken").value_or("");
  result.messages = reader.messages(*object, "", "Messages");
  if (reader.failed()) return reader.error();
  for (const auto& r : result.results) {
    if (r.timestamps.size() != r.values.size()) {
      return make_error(ErrorKind::Transient, "MalformedResponse",
                        fmt::format("the service's answer could not be read: result {} has {} timestamps for {} "
                                    "values",
                                    r.id, r.timestamps.size(), r.values.size()));
    }
  }
  return result;
}

Result<ListMetricsResult> parse_list_metrics_response(std::string_view body) {
  auto object = parse_body(body, Reader::Side::Client);
  if (!object) return object.error();
  Reader reader(Reader::Side::Client, {});
  ListMetricsResult result;
  reader.objects(*object, "", "Metrics", false, [&](const json& element, const std::string& prefix) {
    Metric metric;
    metric.name_space = reader.text(element, prefix, "Namespace").value_or("");
    metric.metric_name = reader.text(element, prefix, "MetricName").value_or("");
    metric.dimensions = reader.dimensions(element, prefix, "Dimensions");
    result.metrics.push_back(std::move(metric));
  });
  result.next_token = reader.text(*object, "", "NextToken").value_or("");
  if (reader.failed()) return reader.error();
  return result;
}

}  // namespace firehose::cloudwatch
