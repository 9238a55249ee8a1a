#include "aws/json_protocol.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aws/credentials/xml_text.hpp"
#include "aws/retry.hpp"

namespace firehose::aws::json_protocol {

Error error_from_response(const HttpResponse& response) {
  Error error;
  error.http_status = response.status;
  if (const std::string* id = response.header("x-amzn-requestid")) error.request_id = *id;

  std::string code;
  const auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    for (const char* key : {"__type", "code", "Code"}) {
      if (auto it = body.find(key); it != body.end() && it->is_string()) { code = it->get<std::string>(); break; }
    }
    for (const char* key : {"message", "Message", "errorMessage"}) {
      if (auto it = body.find(key); it != body.end() && it->is_string()) {
        error.message = it->get<std::string>();
        break;
      }
    }
  }
  // CloudWatch in query-compatible mode puts "Code;Sender" in x-amzn-query-error.
  if (const std::string* query_error = response.header("x-amzn-query-error")) {
    code = query_error->substr(0, query_error->find(';'));
  }
  if (code.empty()) {
    if (const std::string* type = response.header("x-amzn-errortype")) code = *type;
  }
  if (code.empty() && !body.is_object()) {
    // Query/XML-style error (STS, or moto refusing a signature): <Code>..</Code><Message>..</Message>.
    code = xml_element_text(response.body, "Code").value_or("");
    if (error.message.empty()) error.message = xml_element_text(response.body, "Message").value_or("");
  }
  error.code = std::string(normalize_error_code(code));
  if (error.code.empty()) error.code = fmt::format("HTTP{}", response.status);
  if (error.message.empty() && !body.is_object() && code.empty()) {
    // Not a JSON error (a proxy, a load balancer, moto's XML): keep the start of it.
    error.message = response.body.substr(0, 200);
  }
  error.kind = classify_error_code(error.code, response.status);
  return error;
}

HttpRequest make_request(const std::string& endpoint_url, std::string_view json_version,
                         std::string_view target_prefix, std::string_view operation, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint_url;
  if (request.url.empty() || request.url.back() != '/') request.url += '/';
  request.headers.push_back({"Content-Type", fmt::format("application/x-amz-json-{}", json_version)});
  request.headers.push_back({"X-Amz-Target", fmt::format("{}.{}", target_prefix, operation)});
  request.body = std::move(body);
  return request;
}

}  // namespace firehose::aws::json_protocol
