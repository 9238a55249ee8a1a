#include "api_response.hpp"

#include <nlohmann/json.hpp>

namespace firehose::local {

ApiResponse error_response(int status, std::string_view code, std::string_view message, std::string_view content_type,
                           bool query_compatible) {
  ApiResponse response;
  response.status = status;
  response.content_type = std::string(content_type);
  response.body = nlohmann::json{{"__type", code}, {"message", message}}.dump();
  response.headers.emplace_back("x-amzn-ErrorType", std::string(code));
  if (query_compatible) {
    response.headers.emplace_back("x-amzn-query-error", std::string(code) + (status >= 500 ? ";Receiver" : ";Sender"));
  }
  return response;
}

ApiResponse error_response(const Error& error, std::string_view content_type, bool query_compatible) {
  return error_response(error.http_status == 0 ? 400 : error.http_status, error.code, error.message, content_type,
                        query_compatible);
}

ApiResponse json_response(std::string body, std::string_view content_type) {
  ApiResponse response;
  response.content_type = std::string(content_type);
  response.body = std::move(body);
  return response;
}

}  // namespace firehose::local
