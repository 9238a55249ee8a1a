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
      if (auto it = body.find(key); it != body.end() && it->is_string()) {
        code = it->get<std::string>();
        break;
      }
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
  if (error.code.empty()) {
    // Not an AWS error at all: a proxy, a load balancer, a web server at the
    // wrong URL. Its body (HTML, often) is no message: say what came, with
    // the gist of its text.
    error.code = fmt::format("HTTP{}", response.status);
    const std::string* type = response.header("content-type");
    const std::string gist = text_gist(response.body);
    error.message = fmt::format("HTTP {} answer that is not an AWS error ({}, {} bytes{}{})", response.status,
                                type != nullptr && !type->empty() ? *type : "no content type", response.body.size(),
                                gist.empty() ? "" : ": ", gist);
    // Retried only where a passing failure answers so (botocore's transient
    // statuses, and 429); a 501 or a 404 from something that is not the
    // service would answer every attempt the same.
    const int status = response.status;
    error.kind = status == 429                                                      ? ErrorKind::Throttle
                 : status == 500 || status == 502 || status == 503 || status == 504 ? ErrorKind::Transient
                 : status == 401 || status == 403                                   ? ErrorKind::Auth
                                                                                    : ErrorKind::Client;
    return error;
  }
  error.kind = classify_error_code(error.code, response.status);
  return error;
}

std::string text_gist(std::string_view body, std::size_t max_chars) {
  std::string out;
  bool in_tag = false;
  bool space = false;
  for (const char c : body) {
    if (out.size() >= max_chars) break;
    if (c == '<') in_tag = true;
    if (in_tag) {
      if (c == '>') {
        in_tag = false;
        space = true;
      }
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= ' ' || byte == 0x7f) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(byte < 0x80 ? c : '?');
  }
  return out;
}

HttpRequest make_request(const std::string& endpoint_url, std::string_view json_version, std::string_view target_prefix,
                         std::string_view operation, std::string body) {
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
