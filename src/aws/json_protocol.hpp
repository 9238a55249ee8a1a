#pragma once
// What the AWS JSON 1.0 / 1.1 protocols share: the request envelope and the
// error shape. Firehose (1.1) and CloudWatch (1.0) clients use it, and
// firehose-local answers with the same error shape.
#include <string>
#include <string_view>

#include "firehose/error.hpp"
#include "protocol/http.hpp"

namespace firehose::aws::json_protocol {

// The Error an HTTP answer with status >= 300 stands for: code from the body's
// `__type` (or `code`), else the x-amzn-ErrorType / x-amzn-query-error header;
// message from `message` / `Message`; request id from x-amzn-RequestId; kind
// from the code and status.
Error error_from_response(const HttpResponse& response);

// The words of a body for a message: tags dropped, whitespace runs as one
// space, bytes outside printable ASCII as '?', at most `max_chars`.
std::string text_gist(std::string_view body, std::size_t max_chars = 120);

// Fills method, headers (Content-Type, X-Amz-Target) and body of a JSON call.
HttpRequest make_request(const std::string& endpoint_url, std::string_view json_version, std::string_view target_prefix,
                         std::string_view operation, std::string body);

}  // namespace firehose::aws::json_protocol
