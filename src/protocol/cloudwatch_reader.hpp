#pragma once
// Reading CloudWatch's JSON (requests on firehose-local's side, answers on the
// client's) member by member, keeping the first error in the form that side
// reports it. Shared by the operations in cloudwatch.cpp.
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/timestamp.hpp"
#include "protocol/cloudwatch.hpp"
#include "protocol/cloudwatch_errors.hpp"

namespace firehose::cloudwatch::detail {

using json = nlohmann::json;

// Far beyond any date CloudWatch accepts, and inside what a time point holds:
// it counts nanoseconds in 64 bits, about 9.22e9 s either side of 1970 (1e11,
// the bound before, overflowed it: undefined behaviour found by fuzzing).
constexpr double kMaxEpochSeconds = 9e9;

// Reads members of JSON objects and keeps the first error. The server side
// reports wrong types as SerializationException and absent required members
// with the operation's missing-parameter code; the client side (reading
// responses) reports anything unreadable as a MalformedResponse.
class Reader {
 public:
  enum class Side { Server, Client };
  Reader(Side side, std::string_view missing_code) : side_(side), missing_code_(missing_code) {}

  bool failed() const { return error_.has_value(); }
  Error error() const { return *error_; }

  // The member, or nullptr when absent or null (recording MissingParameter if required).
  const json* find(const json& object, const std::string& prefix, const char* key, bool required) {
    if (failed()) return nullptr;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (required) fail_missing(prefix + key);
      return nullptr;
    }
    return &*it;
  }

  std::optional<std::string> text(const json& object, const std::string& prefix, const char* key,
                                  bool required = false) {
    const json* member = find(object, prefix, key, required);
    if (member == nullptr) return std::nullopt;
    if (!member->is_string()) return fail_type(prefix + key, "a string");
    return member->get<std::string>();
  }

  std::optional<double> number(const json& member, const std::string& path) {
    if (failed()) return std::nullopt;
    if (!member.is_number()) return fail_type(path, "a number");
    return member.get<double>();
  }

  std::optional<double> number(const json& object, const std::string& prefix, const char* key, bool required = false) {
    const json* member = find(object, prefix, key, required);
    if (member == nullptr) return std::nullopt;
    return number(*member, prefix + key);
  }

  std::optional<int> integer(const json& object, const std::string& prefix, const char* key, bool required = false) {
    const json* member = find(object, prefix, key, required);
    if (member == nullptr) return std::nullopt;
    // 60.0 is accepted as 60, as JSON does not distinguish them.
    if (member->is_number()) {
      const double value = member->get<double>();
      if (value == std::floor(value) && value >= std::numeric_limits<int>::min() &&
          value <= std::numeric_limits<int>::max()) {
        return static_cast<int>(value);
      }
    }
    return fail_type(prefix + key, "an integer");
  }

  // The member if it is a JSON object; nullptr when absent or of another type (recorded).
  const json* structure(const json& object, const std::string& prefix, const char* key, bool required) {
    return member_of_kind(object, prefix, key, required, &json::is_object, "a structure");
  }

  std::optional<bool> boolean(const json& object, const std::string& prefix, const char* key) {
    const json* member = find(object, prefix, key, false);
    if (member == nullptr) return std::nullopt;
    if (!member->is_boolean()) return fail_type(prefix + key, "a boolean");
    return member->get<bool>();
  }

  std::optional<TimePoint> timestamp(const json& member, const std::string& path) {
    if (failed()) return std::nullopt;
    if (member.is_number()) {
      const double seconds = member.get<double>();
      if (std::isfinite(seconds) && std::fabs(seconds) < kMaxEpochSeconds) return from_epoch_seconds(seconds);
      return fail_type(path, "a timestamp in epoch seconds");
    }
    if (side_ == Side::Client && member.is_string()) {
      // botocore also accepts ISO-8601 text where a timestamp is expected.
      auto parsed = aws::parse_iso8601(member.get<std::string>());
      if (parsed) return *parsed;
    }
    return fail_type(path, "a timestamp in epoch seconds");
  }

  std::optional<TimePoint> timestamp(const json& object, const std::string& prefix, const char* key,
                                     bool required = false) {
    const json* member = find(object, prefix, key, required);
    if (member == nullptr) return std::nullopt;
    return timestamp(*member, prefix + key);
  }

  // The member if it is a JSON list; nullptr when absent or of another type (recorded).
  const json* list_member(const json& object, const std::string& prefix, const char* key, bool required) {
    return member_of_kind(object, prefix, key, required, &json::is_array, "a list");
  }

  // Calls `each(element, "Key.member.N.")` for every element, which must be an object.
  template <class Each>
  void objects(const json& object, const std::string& prefix, const char* key, bool required, Each&& each) {
    const json* list = list_member(object, prefix, key, required);
    if (list == nullptr) return;
    for (std::size_t i = 0; i < list->size() && !failed(); ++i) {
      const std::string element_prefix = fmt::format("{}{}.member.{}.", prefix, key, i + 1);
      if (!(*list)[i].is_object()) {
        fail_type(element_prefix.substr(0, element_prefix.size() - 1), "a structure");
        return;
      }
      each((*list)[i], element_prefix);
    }
  }

  // Calls `each(element, "Key.member.N")` for every element of a list member.
  template <class Each>
  void elements(const json& object, const std::string& prefix, const char* key, Each&& each) {
    const json* list = list_member(object, prefix, key, false);
    if (list == nullptr) return;
    for (std::size_t i = 0; i < list->size() && !failed(); ++i) {
      each((*list)[i], fmt::format("{}{}.member.{}", prefix, key, i + 1));
    }
  }

  std::vector<std::string> strings(const json& object, const std::string& prefix, const char* key) {
    std::vector<std::string> out;
    elements(object, prefix, key, [&](const json& element, const std::string& path) {
      if (!element.is_string()) {
        fail_type(path, "a string");
        return;
      }
      out.push_back(element.get<std::string>());
    });
    return out;
  }

  std::vector<double> numbers(const json& object, const std::string& prefix, const char* key) {
    std::vector<double> out;
    elements(object, prefix, key, [&](const json& element, const std::string& path) {
      if (auto value = number(element, path)) out.push_back(*value);
    });
    return out;
  }

  std::vector<Dimension> dimensions(const json& object, const std::string& prefix, const char* key) {
    std::vector<Dimension> out;
    objects(object, prefix, key, false, [&](const json& element, const std::string& element_prefix) {
      Dimension d;
      d.name = text(element, element_prefix, "Name", true).value_or("");
      d.value = text(element, element_prefix, "Value", true).value_or("");
      out.push_back(std::move(d));
    });
    return out;
  }

  std::optional<Metric> metric(const json& object, const std::string& prefix, const char* key, bool required) {
    const json* member = structure(object, prefix, key, required);
    if (member == nullptr) return std::nullopt;
    const std::string inner = prefix + key + ".";
    Metric metric;
    metric.name_space = text(*member, inner, "Namespace").value_or("");
    metric.metric_name = text(*member, inner, "MetricName").value_or("");
    metric.dimensions = dimensions(*member, inner, "Dimensions");
    return metric;
  }

  std::vector<MessageData> messages(const json& object, const std::string& prefix, const char* key) {
    std::vector<MessageData> out;
    objects(object, prefix, key, false, [&](const json& element, const std::string& element_prefix) {
      MessageData m;
      m.code = text(element, element_prefix, "Code").value_or("");
      m.value = text(element, element_prefix, "Value").value_or("");
      out.push_back(std::move(m));
    });
    return out;
  }

 private:
  // The member if `is_kind` holds for it; nullptr when absent or when not
  // (recorded as not `expected`).
  const json* member_of_kind(const json& object, const std::string& prefix, const char* key, bool required,
                             bool (json::*is_kind)() const noexcept, std::string_view expected) {
    const json* member = find(object, prefix, key, required);
    if (member == nullptr) return nullptr;
    if (!(member->*is_kind)()) {
      fail_type(prefix + key, expected);
      return nullptr;
    }
    return member;
  }

  void fail_missing(const std::string& path) {
    if (failed()) return;
    if (side_ == Side::Client) {
      error_ = make_error(ErrorKind::Transient, "MalformedResponse",
                          fmt::format("the service's answer could not be read: {} is missing", path));
    } else {
      error_ = service_error(missing_code_, fmt::format("The parameter {} is required.", path));
    }
  }

  std::nullopt_t fail_type(const std::string& path, std::string_view expected) {
    if (failed()) return std::nullopt;
    if (side_ == Side::Client) {
      error_ = make_error(ErrorKind::Transient, "MalformedResponse",
                          fmt::format("the service's answer could not be read: {} is not {}", path, expected));
    } else {
      error_ = service_error(kSerializationException, fmt::format("The value of {} must be {}.", path, expected));
    }
    return std::nullopt;
  }

  Side side_;
  std::string_view missing_code_;
  std::optional<Error> error_;
};

// The body as a JSON object, or the error its side reports for anything else.
Result<json> parse_body(std::string_view body, Reader::Side side);

}  // namespace firehose::cloudwatch::detail
