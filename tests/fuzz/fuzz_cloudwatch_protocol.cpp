// CloudWatch (AWS JSON 1.0) bodies, both directions: the client's response
// parsers and the request parsers firehose-local's CloudWatch API uses.
// Every body ends in a value or an Error.
#include <cstdint>

#include "fuzz_input.hpp"
#include "protocol/cloudwatch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firehose::cloudwatch;
  const std::string_view body = firehose::fuzz::as_text(data, size);
  (void)parse_get_metric_statistics_response(body);
  (void)parse_get_metric_data_response(body);
  (void)parse_list_metrics_response(body);
  (void)parse_put_metric_data_request(body);
  (void)parse_get_metric_statistics_request(body);
  (void)parse_get_metric_data_request(body);
  (void)parse_list_metrics_request(body);
  return 0;
}
