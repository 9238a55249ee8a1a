#include "protocol/cloudwatch_errors.hpp"

#include <array>
#include <utility>

#include "firehose/result.hpp"

namespace firehose::cloudwatch {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kShapes = {{
    {kInvalidParameterValue, "InvalidParameterValueException"},
    {kMissingParameter, "MissingRequiredParameterException"},
    {kInvalidParameterCombination, "InvalidParameterCombinationException"},
    {kInvalidNextToken, "InvalidNextToken"},
    {kInternalServiceError, "InternalServiceFault"},
}};

}  // namespace

std::string_view error_type(std::string_view code) {
  for (const auto& [query_code, shape] : kShapes) {
    if (query_code == code) return shape;
  }
  return code;
}

int error_status(std::string_view code) {
  if (code == kInternalServiceError) return 500;
  if (code == kRequestEntityTooLarge) return 413;
  return 400;
}

Error service_error(std::string_view code, std::string message) {
  const int status = error_status(code);
  return make_error(status >= 500 ? ErrorKind::Transient : ErrorKind::Client, std::string(code), std::move(message),
                    status);
}

}  // namespace firehose::cloudwatch
