// Error parsing: an HTTP answer with a status >= 300 becomes an Error from
// its body and headers, whatever they hold (JSON or not, any size).
// Input fields: status digits, x-amzn-ErrorType, x-amzn-query-error, body.
#include <charconv>
#include <cstdint>
#include <string>

#include "aws/json_protocol.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firehose;
  const auto fields = fuzz::split_fields(fuzz::as_text(data, size), 4);
  aws::HttpResponse response;
  response.status = 400;
  std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), response.status);
  if (!fields[1].empty()) response.headers.push_back({"x-amzn-errortype", std::string(fields[1])});
  if (!fields[2].empty()) response.headers.push_back({"x-amzn-query-error", std::string(fields[2])});
  response.headers.push_back({"x-amzn-requestid", "fuzz"});
  response.body = std::string(fields[3]);
  const Error error = aws::json_protocol::error_from_response(response);
  if (error.code.empty()) __builtin_trap();  // an error always says what it is
  return 0;
}
