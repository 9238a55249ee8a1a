#pragma once
// CloudWatch's error codes as its query-compatible JSON protocol reports them:
// the query code (the x-amzn-query-error header, what botocore and this
// library call Error::code) and the model's exception shape (the `__type` of
// the JSON body). One table for the client's validation and firehose-local.
#include <string>
#include <string_view>

#include "firehose/error.hpp"

namespace firehose::cloudwatch {

// Query codes of the modelled exceptions (shape name in the comment).
inline constexpr std::string_view kInvalidParameterValue = "InvalidParameterValue";  // InvalidParameterValueException
inline constexpr std::string_view kMissingParameter = "MissingParameter";  // MissingRequiredParameterException
inline constexpr std::string_view kInvalidParameterCombination =
    "InvalidParameterCombination";                                         // InvalidParameterCombinationException
inline constexpr std::string_view kInvalidNextToken = "InvalidNextToken";  // InvalidNextToken
inline constexpr std::string_view kInternalServiceError = "InternalServiceError";  // InternalServiceFault (500)
// Not in the model, but what the service answers: GetMetricData's parameter
// errors, and the AWS JSON protocols' own errors.
inline constexpr std::string_view kValidationError = "ValidationError";
inline constexpr std::string_view kSerializationException = "SerializationException";
inline constexpr std::string_view kUnknownOperation = "UnknownOperationException";
inline constexpr std::string_view kRequestEntityTooLarge = "RequestEntityTooLarge";  // HTTP 413

// The exception shape name for a query code (the code itself when the model has none).
std::string_view error_type(std::string_view code);

// The HTTP status the service answers `code` with: 500 for InternalServiceError,
// 413 for RequestEntityTooLarge, else 400.
int error_status(std::string_view code);

// An Error as the service would return it: that status, kind Client (Transient for 5xx).
Error service_error(std::string_view code, std::string message);

}  // namespace firehose::cloudwatch
