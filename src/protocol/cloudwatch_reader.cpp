#include "protocol/cloudwatch_reader.hpp"

namespace firehose::cloudwatch::detail {

Result<json> parse_body(std::string_view body, Reader::Side side) {
  // An empty body is an empty request (botocore sends "{}", others nothing).
  if (side == Reader::Side::Server && body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return json::object();
  }
  auto parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) return parsed;
  if (side == Reader::Side::Client) {
    return make_error(ErrorKind::Transient, "MalformedResponse",
                      "the service's answer could not be read: not a JSON object");
  }
  return service_error(kSerializationException, "The request body is not a JSON object.");
}

}  // namespace firehose::cloudwatch::detail
