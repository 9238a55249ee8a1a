// Firehose response parsers (the client side of AWS JSON 1.1): whatever an
// endpoint answers, parsing ends in a value or an Error, never a crash.
// Input: the records-sent count as its first byte, then the body.
#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "protocol/firehose.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firehose::protocol;
  if (size == 0) return 0;
  const std::size_t records_sent = data[0];
  const std::string_view body = firehose::fuzz::as_text(data + 1, size - 1);
  (void)parse_put_record_response(body);
  auto owned = parse_put_record_batch_response(body, records_sent);
  auto in_place = read_put_record_batch_answer(std::string(body), records_sent);
  // The two readers of one answer must agree.
  if (owned.ok() != in_place.ok()) __builtin_trap();
  if (in_place.ok()) {
    const auto copied = to_result(*in_place);
    if (copied.failed_put_count != owned->failed_put_count || copied.responses.size() != owned->responses.size()) {
      __builtin_trap();
    }
  }
  (void)parse_describe_delivery_stream_response(body);
  (void)parse_list_delivery_streams_response(body);
  (void)parse_create_delivery_stream_response(body);
  return 0;
}
