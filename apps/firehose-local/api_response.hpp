#pragma once
// What an API handler answers, before the HTTP layer adds x-amzn-RequestId
// and writes it. Firehose (JSON 1.1) and CloudWatch (JSON 1.0) handlers both
// produce it; the error body is the AWS JSON protocols' {"__type", "message"}.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "firehose/error.hpp"

namespace firehose::local {

struct ApiResponse {
  int status = 200;
  std::string content_type;  // application/x-amz-json-1.1 or -1.0
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (x-amzn-ErrorType, x-amzn-query-error)
};

// A JSON-protocol error answer: body {"__type": code, "message": message} and
// header x-amzn-ErrorType. `query_compatible` (CloudWatch) adds
// x-amzn-query-error: "<code>;Sender" (or ";Receiver" for 5xx).
ApiResponse error_response(int status, std::string_view code, std::string_view message, std::string_view content_type,
                           bool query_compatible = false);
// The same from an Error (http_status, code, message).
ApiResponse error_response(const Error& error, std::string_view content_type, bool query_compatible = false);

ApiResponse json_response(std::string body, std::string_view content_type);

}  // namespace firehose::local
