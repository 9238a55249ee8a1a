#include "stream_state.hpp"

#include <fmt/format.h>

namespace firehose::cli {

Error explain_stream_error(Error error, const FirehoseClient& client, std::string_view stream) {
  if (error.code != "ResourceNotFoundException" || stream.empty()) return error;
  auto described = client.describe_delivery_stream(stream);
  if (!described || described->delivery_stream_status == "ACTIVE") return error;
  const std::string& status = described->delivery_stream_status;
  std::string hint = status == "CREATING"
                         ? "Firehose takes records once it is ACTIVE; create-delivery-stream --wait returns then"
                         : "Firehose takes records only on an ACTIVE stream";
  error.message =
      fmt::format("stream '{}' is {}, not ACTIVE: {} (the service said: {})", stream, status, hint, error.message);
  return error;
}

}  // namespace firehose::cli
