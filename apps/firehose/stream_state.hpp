#pragma once
// Firehose answers ResourceNotFoundException to a put on a stream that exists
// but is not ACTIVE yet (CREATING), so "not found" right after
// create-delivery-stream misleads. One DescribeDeliveryStream tells the two
// apart, and the error then names the stream's state and the fix.
#include <string_view>

#include "firehose/error.hpp"
#include "firehose/firehose_client.hpp"

namespace firehose::cli {

// `error` as is, unless it is ResourceNotFoundException and the stream exists
// in another state than ACTIVE: then its message says so.
Error explain_stream_error(Error error, const FirehoseClient& client, std::string_view stream);

}  // namespace firehose::cli
