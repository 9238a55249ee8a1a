#include "protocol/cloudwatch_validation.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <set>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "protocol/cloudwatch_errors.hpp"
#include "protocol/cloudwatch_limits.hpp"

namespace firehose::cloudwatch {
namespace {

using std::chrono::seconds;

constexpr std::array<std::string_view, 27> kStandardUnits = {
    "Seconds",          "Microseconds",     "Milliseconds", "Bytes",           "Kilobytes",        "Megabytes",
    "Gigabytes",        "Terabytes",        "Bits",         "Kilobits",        "Megabits",         "Gigabits",
    "Terabits",         "Percent",          "Count",        "Bytes/Second",    "Kilobytes/Second", "Megabytes/Second",
    "Gigabytes/Second", "Terabytes/Second", "Bits/Second",  "Kilobits/Second", "Megabits/Second",  "Gigabits/Second",
    "Terabits/Second",  "Count/Second",     "None"};

constexpr std::string_view kStatisticSet = "[ Average, Sum, SampleCount, Maximum, Minimum ]";

// The codes an operation answers a missing and a wrong parameter with:
// GetMetricData says ValidationError for both.
struct Codes {
  std::string_view missing;
  std::string_view invalid;
};
constexpr Codes kQueryCodes{kMissingParameter, kInvalidParameterValue};
constexpr Codes kGetMetricDataCodes{kValidationError, kValidationError};

Error invalid_value(std::string_view path, std::string_view value, Codes codes = kQueryCodes) {
  return service_error(codes.invalid, fmt::format("The value {} for parameter {} is invalid.", value, path));
}

Error too_many(std::string_view code, std::string_view path, std::size_t limit) {
  return service_error(code, fmt::format("The collection {} must not have a size greater than {}.", path, limit));
}

Error missing(std::string_view code, std::string_view path) {
  return service_error(code, fmt::format("The parameter {} is required.", path));
}

std::string units_list() { return fmt::format("[ {} ]", fmt::join(kStandardUnits, ", ")); }

// ASCII without control characters, and not only white space: the rule for
// namespaces, dimension names and dimension values.
bool is_printable_ascii_text(std::string_view text) {
  bool has_visible = false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) return false;
    if (byte != ' ') has_visible = true;
  }
  return has_visible;
}

// A required name of 1..255 characters.
Status check_name(Codes codes, std::string_view path, std::string_view name) {
  if (name.empty()) return missing(codes.missing, path);
  if (name.size() > limits::kMaxNameLength) {
    return service_error(codes.invalid, fmt::format("The parameter {} must not be longer than {} characters.", path,
                                                    limits::kMaxNameLength));
  }
  return {};
}

Status check_namespace(Codes codes, std::string_view path, std::string_view name_space) {
  if (auto ok = check_name(codes, path, name_space); !ok) return ok;
  if (name_space.front() == ':' || !is_printable_ascii_text(name_space)) return invalid_value(path, name_space, codes);
  return {};
}

Status check_dimension_name(Codes codes, std::string_view path, std::string_view name) {
  if (auto ok = check_name(codes, path, name); !ok) return ok;
  if (name.front() == ':' || !is_printable_ascii_text(name)) return invalid_value(path, name, codes);
  return {};
}

Status check_dimension_value(Codes codes, std::string_view path, std::string_view value) {
  if (value.empty()) return missing(codes.missing, path);
  if (value.size() > limits::kMaxDimensionValueLength) {
    return service_error(codes.invalid, fmt::format("The parameter {} must not be longer than {} characters.", path,
                                                    limits::kMaxDimensionValueLength));
  }
  if (!is_printable_ascii_text(value)) return invalid_value(path, value, codes);
  return {};
}

// `path` is the list's ("Dimensions", "MetricData.member.2.Dimensions").
Status check_dimensions(Codes codes, const std::string& path, const std::vector<Dimension>& dims) {
  if (dims.size() > limits::kMaxDimensions) return too_many(codes.invalid, path, limits::kMaxDimensions);
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const std::string member = fmt::format("{}.member.{}", path, i + 1);
    if (auto ok = check_dimension_name(codes, member + ".Name", dims[i].name); !ok) return ok;
    if (auto ok = check_dimension_value(codes, member + ".Value", dims[i].value); !ok) return ok;
    if (!names.insert(dims[i].name).second) {
      return service_error(
          codes.invalid,
          fmt::format("The collection {} must not contain duplicate dimension names ({}).", path, dims[i].name));
    }
  }
  return {};
}

Status check_unit(std::string_view path, std::string_view unit) {
  if (unit.empty() || is_standard_unit(unit)) return {};
  return service_error(kInvalidParameterValue,
                       fmt::format("The parameter {} must be a value in the set {}.", path, units_list()));
}

// Finite and within [-2^360, 2^360], and not closer to zero than 2^-360 unless zero.
bool is_storable_value(double value) {
  if (!std::isfinite(value)) return false;
  const double magnitude = std::fabs(value);
  return magnitude <= limits::kMaxValueMagnitude && (magnitude == 0 || magnitude >= limits::kMinNonZeroMagnitude);
}

Status check_value(std::string_view path, double value) {
  if (is_storable_value(value)) return {};
  return invalid_value(path, fmt::format("{}", value));
}

Status check_period(std::string_view code, std::string_view path, int period) {
  if (period <= 0) {
    return service_error(code, fmt::format("The parameter {} must be greater than 0.", path));
  }
  if (!is_valid_period(period)) {
    return service_error(code, fmt::format("The parameter {} must be a multiple of 60.", path));
  }
  return {};
}

Status check_datum(const MetricDatum& datum, std::size_t index) {
  const std::string prefix = fmt::format("MetricData.member.{}.", index + 1);
  if (auto ok = check_name(kQueryCodes, prefix + "MetricName", datum.metric_name); !ok) return ok;
  if (auto ok = check_dimensions(kQueryCodes, prefix + "Dimensions", datum.dimensions); !ok) return ok;

  const int kinds = (datum.value ? 1 : 0) + (datum.statistic_values ? 1 : 0) + (datum.values.empty() ? 0 : 1);
  if (kinds > 1) {
    std::vector<std::string> given;
    if (datum.value) given.push_back(prefix + "Value");
    if (datum.statistic_values) given.push_back(prefix + "StatisticValues");
    if (!datum.values.empty()) given.push_back(prefix + "Values");
    return service_error(kInvalidParameterCombination,
                         fmt::format("The parameters {} are mutually exclusive and you have specified more than one.",
                                     fmt::join(given, ", ")));
  }
  if (kinds == 0) {
    return service_error(kInvalidParameterCombination,
                         fmt::format("At least one of the parameters {0}Value, {0}StatisticValues or {0}Values must "
                                     "be specified.",
                                     prefix));
  }
  if (datum.value) {
    if (auto ok = check_value(prefix + "Value", *datum.value); !ok) return ok;
  }
  if (datum.statistic_values) {
    const auto& set = *datum.statistic_values;
    const std::string set_prefix = prefix + "StatisticValues.";
    if (auto ok = check_value(set_prefix + "SampleCount", set.sample_count); !ok) return ok;
    if (auto ok = check_value(set_prefix + "Sum", set.sum); !ok) return ok;
    if (auto ok = check_value(set_prefix + "Minimum", set.minimum); !ok) return ok;
    if (auto ok = check_value(set_prefix + "Maximum", set.maximum); !ok) return ok;
    if (set.sample_count <= 0) {
      return service_error(kInvalidParameterValue,
                           fmt::format("The parameter {}SampleCount must be greater than 0.", set_prefix));
    }
    if (set.minimum > set.maximum) {
      return service_error(kInvalidParameterCombination,
                           fmt::format("The parameter {0}Maximum must be greater than or equal to the parameter "
                                       "{0}Minimum.",
                                       set_prefix));
    }
  }
  if (!datum.values.empty() || !datum.counts.empty()) {
    if (datum.values.size() > limits::kMaxValuesPerDatum) {
      return too_many(kInvalidParameterValue, prefix + "Values", limits::kMaxValuesPerDatum);
    }
    if (!datum.counts.empty() && datum.counts.size() != datum.values.size()) {
      return service_error(kInvalidParameterCombination,
                           fmt::format("The parameters {0}Values and {0}Counts must be of the same size.", prefix));
    }
    for (std::size_t i = 0; i < datum.values.size(); ++i) {
      if (auto ok = check_value(fmt::format("{}Values.member.{}", prefix, i + 1), datum.values[i]); !ok) return ok;
    }
    for (std::size_t i = 0; i < datum.counts.size(); ++i) {
      const std::string path = fmt::format("{}Counts.member.{}", prefix, i + 1);
      if (auto ok = check_value(path, datum.counts[i]); !ok) return ok;
      if (datum.counts[i] < 0) return invalid_value(path, fmt::format("{}", datum.counts[i]));
    }
  }
  if (auto ok = check_unit(prefix + "Unit", datum.unit); !ok) return ok;
  if (datum.storage_resolution && *datum.storage_resolution != 1 && *datum.storage_resolution != 60) {
    return service_error(
        kInvalidParameterValue,
        fmt::format("The parameter {}StorageResolution must be a value in the set [ 1, 60 ].", prefix));
  }
  return {};
}

bool is_query_id(std::string_view id) {
  if (id.empty() || id.size() > limits::kMaxNameLength || !(id.front() >= 'a' && id.front() <= 'z')) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Status check_query(const MetricDataQuery& query, std::size_t index) {
  const std::string prefix = fmt::format("MetricDataQueries.member.{}.", index + 1);
  if (query.id.empty()) return missing(kValidationError, prefix + "Id");
  if (!is_query_id(query.id)) {
    return service_error(kValidationError,
                         fmt::format("The value {} for parameter {}Id is invalid: it must start with a lower-case "
                                     "letter and hold only letters, digits and underscores.",
                                     query.id, prefix));
  }
  if (query.metric_stat && !query.expression.empty()) {
    return service_error(kValidationError,
                         fmt::format("The parameters {0}MetricStat and {0}Expression are mutually exclusive and you "
                                     "have specified both.",
                                     prefix));
  }
  if (!query.metric_stat && query.expression.empty()) return missing(kValidationError, prefix + "MetricStat");
  if (query.period) {
    if (auto ok = check_period(kValidationError, prefix + "Period", *query.period); !ok) return ok;
  }
  if (!query.metric_stat) return {};

  const MetricStat& stat = *query.metric_stat;
  const std::string stat_prefix = prefix + "MetricStat.";
  const std::string metric_prefix = stat_prefix + "Metric.";
  if (auto ok = check_namespace(kGetMetricDataCodes, metric_prefix + "Namespace", stat.metric.name_space); !ok) {
    return ok;
  }
  if (auto ok = check_name(kGetMetricDataCodes, metric_prefix + "MetricName", stat.metric.metric_name); !ok) return ok;
  if (auto ok = check_dimensions(kGetMetricDataCodes, metric_prefix + "Dimensions", stat.metric.dimensions); !ok) {
    return ok;
  }
  if (auto ok = check_period(kValidationError, stat_prefix + "Period", stat.period); !ok) return ok;
  if (stat.stat.empty()) return missing(kValidationError, stat_prefix + "Stat");
  if (!stat.unit.empty() && !is_standard_unit(stat.unit)) {
    return service_error(kValidationError,
                         fmt::format("The parameter {}Unit must be a value in the set {}.", stat_prefix, units_list()));
  }
  return {};
}

}  // namespace

std::optional<StatisticName> parse_statistic(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Statistic>, 5> kNames = {{
      {"SampleCount", Statistic::SampleCount},
      {"Average", Statistic::Average},
      {"Sum", Statistic::Sum},
      {"Minimum", Statistic::Minimum},
      {"Maximum", Statistic::Maximum},
  }};
  for (const auto& [text, kind] : kNames) {
    if (name == text) return StatisticName{kind, 0};
  }
  if (name.size() < 2 || name.front() != 'p') return std::nullopt;
  const std::string_view number = name.substr(1);
  // Digits, optionally a point and more digits: no signs, exponents or spaces.
  const auto point = number.find('.');
  const std::string_view whole = number.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos ? std::string_view() : number.substr(point + 1);
  auto all_digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(fraction)) return std::nullopt;
  if (point != std::string_view::npos && fraction.empty()) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size() || value > 100) return std::nullopt;
  return StatisticName{Statistic::Percentile, value};
}

bool is_standard_unit(std::string_view unit) {
  return std::find(kStandardUnits.begin(), kStandardUnits.end(), unit) != kStandardUnits.end();
}

bool is_valid_period(int period) {
  if (period <= 0) return false;
  if (period % 60 == 0) return true;
  return period == 1 || period == 5 || period == 10 || period == 20 || period == 30;
}

long long requested_periods(TimePoint start, TimePoint end, int period) {
  if (period <= 0 || end <= start) return 0;
  const long long grid = period < 60 ? period : 60;
  const long long start_s = std::chrono::floor<seconds>(start.time_since_epoch()).count();
  const long long aligned = start_s - (((start_s % grid) + grid) % grid);
  const auto span_ms = std::chrono::ceil<std::chrono::milliseconds>(end.time_since_epoch()).count() - aligned * 1000;
  const long long period_ms = static_cast<long long>(period) * 1000;
  return (span_ms + period_ms - 1) / period_ms;
}

Status validate_put_metric_data(const PutMetricDataRequest& request) {
  if (auto ok = check_namespace(kQueryCodes, "Namespace", request.name_space); !ok) return ok;
  if (request.name_space.rfind("AWS/", 0) == 0) {
    // Reserved for AWS services' own metrics.
    return invalid_value("Namespace", request.name_space);
  }
  if (request.metric_data.empty()) return missing(kMissingParameter, "MetricData");
  if (request.metric_data.size() > limits::kMaxMetricDataPerPut) {
    return too_many(kInvalidParameterValue, "MetricData", limits::kMaxMetricDataPerPut);
  }
  for (std::size_t i = 0; i < request.metric_data.size(); ++i) {
    if (auto ok = check_datum(request.metric_data[i], i); !ok) return ok;
  }
  return {};
}

Status validate_put_metric_data_timestamps(const PutMetricDataRequest& request, TimePoint now) {
  for (std::size_t i = 0; i < request.metric_data.size(); ++i) {
    const auto& timestamp = request.metric_data[i].timestamp;
    if (!timestamp) continue;
    if (*timestamp < now - limits::kMaxTimestampAge) {
      return service_error(kInvalidParameterValue,
                           fmt::format("The parameter MetricData.member.{}.Timestamp must specify a time no more than "
                                       "two weeks in the past.",
                                       i + 1));
    }
    if (*timestamp > now + limits::kMaxTimestampLead) {
      return service_error(kInvalidParameterValue,
                           fmt::format("The parameter MetricData.member.{}.Timestamp must specify a time no more than "
                                       "two hours in the future.",
                                       i + 1));
    }
  }
  return {};
}

Status validate_get_metric_statistics(const GetMetricStatisticsRequest& request) {
  if (auto ok = check_namespace(kQueryCodes, "Namespace", request.name_space); !ok) return ok;
  if (auto ok = check_name(kQueryCodes, "MetricName", request.metric_name); !ok) return ok;
  if (auto ok = check_dimensions(kQueryCodes, "Dimensions", request.dimensions); !ok) return ok;
  if (auto ok = check_period(kInvalidParameterValue, "Period", request.period); !ok) return ok;
  if (request.start_time >= request.end_time) {
    return service_error(kInvalidParameterValue, "The parameter StartTime must be less than the parameter EndTime.");
  }
  if (request.statistics.empty() && request.extended_statistics.empty()) {
    return service_error(kInvalidParameterCombination, "Must specify either Statistics or ExtendedStatistics.");
  }
  if (!request.statistics.empty() && !request.extended_statistics.empty()) {
    return service_error(kInvalidParameterCombination,
                         "The parameters Statistics and ExtendedStatistics are mutually exclusive and you have "
                         "specified both.");
  }
  if (request.statistics.size() > limits::kMaxStatistics) {
    return too_many(kInvalidParameterValue, "Statistics", limits::kMaxStatistics);
  }
  for (std::size_t i = 0; i < request.statistics.size(); ++i) {
    const auto parsed = parse_statistic(request.statistics[i]);
    if (!parsed || parsed->kind == Statistic::Percentile) {
      return service_error(kInvalidParameterValue, fmt::format("The parameter Statistics.member.{} must be a value "
                                                               "in the set {}.",
                                                               i + 1, kStatisticSet));
    }
  }
  if (request.extended_statistics.size() > limits::kMaxExtendedStatistics) {
    return too_many(kInvalidParameterValue, "ExtendedStatistics", limits::kMaxExtendedStatistics);
  }
  for (std::size_t i = 0; i < request.extended_statistics.size(); ++i) {
    const auto parsed = parse_statistic(request.extended_statistics[i]);
    if (!parsed || parsed->kind != Statistic::Percentile) {
      return service_error(kInvalidParameterValue,
                           fmt::format("The parameter ExtendedStatistics.member.{} must be a percentile between p0.0 "
                                       "and p100 (got {}).",
                                       i + 1, request.extended_statistics[i]));
    }
  }
  if (auto ok = check_unit("Unit", request.unit); !ok) return ok;
  const long long periods = requested_periods(request.start_time, request.end_time, request.period);
  if (periods > limits::kMaxStatisticsDatapoints) {
    return service_error(kInvalidParameterCombination,
                         fmt::format("You have requested up to {} datapoints, which exceeds the limit of {}. You may "
                                     "reduce the datapoints requested by increasing Period, or decreasing the time "
                                     "range.",
                                     periods, limits::kMaxStatisticsDatapoints));
  }
  return {};
}

Status validate_get_metric_data(const GetMetricDataRequest& request) {
  if (request.queries.empty()) return missing(kValidationError, "MetricDataQueries");
  if (request.queries.size() > limits::kMaxMetricDataQueries) {
    return too_many(kValidationError, "MetricDataQueries", limits::kMaxMetricDataQueries);
  }
  std::set<std::string_view> ids;
  for (std::size_t i = 0; i < request.queries.size(); ++i) {
    if (auto ok = check_query(request.queries[i], i); !ok) return ok;
    if (!ids.insert(request.queries[i].id).second) {
      return service_error(kValidationError, fmt::format("The values for parameter Id in MetricDataQueries must be "
                                                         "unique ({} is repeated).",
                                                         request.queries[i].id));
    }
  }
  if (request.start_time == request.end_time) {
    return service_error(kValidationError, "The parameter StartTime must not equal parameter EndTime.");
  }
  if (request.start_time > request.end_time) {
    return service_error(kValidationError, "The parameter StartTime must be less than the parameter EndTime.");
  }
  if (!request.scan_by.empty() && request.scan_by != "TimestampDescending" && request.scan_by != "TimestampAscending") {
    return service_error(kValidationError,
                         fmt::format("The parameter ScanBy must be a value in the set [ TimestampDescending, "
                                     "TimestampAscending ] (got {}).",
                                     request.scan_by));
  }
  if (request.max_datapoints && *request.max_datapoints <= 0) {
    return service_error(kValidationError, "The parameter MaxDatapoints must be greater than 0.");
  }
  return {};
}

Status validate_list_metrics(const ListMetricsRequest& request) {
  if (!request.name_space.empty()) {
    if (auto ok = check_namespace(kQueryCodes, "Namespace", request.name_space); !ok) return ok;
  }
  if (!request.metric_name.empty()) {
    if (auto ok = check_name(kQueryCodes, "MetricName", request.metric_name); !ok) return ok;
  }
  if (request.dimensions.size() > limits::kMaxDimensionFilters) {
    return too_many(kInvalidParameterValue, "Dimensions", limits::kMaxDimensionFilters);
  }
  for (std::size_t i = 0; i < request.dimensions.size(); ++i) {
    const std::string member = fmt::format("Dimensions.member.{}", i + 1);
    if (auto ok = check_dimension_name(kQueryCodes, member + ".Name", request.dimensions[i].name); !ok) {
      return ok;
    }
    if (request.dimensions[i].value) {
      if (auto ok = check_dimension_value(kQueryCodes, member + ".Value", *request.dimensions[i].value); !ok) {
        return ok;
      }
    }
  }
  if (!request.recently_active.empty() && request.recently_active != "PT3H") {
    return service_error(kInvalidParameterValue,
                         fmt::format("The parameter RecentlyActive must be a value in the set [ PT3H ] (got {}).",
                                     request.recently_active));
  }
  return {};
}

}  // namespace firehose::cloudwatch
