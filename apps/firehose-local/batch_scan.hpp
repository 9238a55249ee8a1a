#pragma once
// The PutRecordBatch body that every SDK and `firehose send` sends,
//   {"DeliveryStreamName":"<name>","Records":[{"Data":"<base64>"},...]}
// (members in either order, JSON whitespace anywhere between tokens), read in
// one pass without a JSON parser: simdjson's DOM (a padded copy of the body,
// a tape, every string copied again) was the largest part of firehose-local's
// CPU after the socket. Anything else (another member, null, escapes,
// non-ASCII in the name, an empty list, a record of another shape) is not
// read here, and put_request.cpp reads it with simdjson as before: this path
// must only ever give the answer that one would give, for less.
#include <string_view>
#include <vector>

namespace firehose::local {

struct ScannedBatch {
  std::string_view stream_name;           // printable ASCII, no '"' or '\'
  std::vector<std::string_view> records;  // each Data string's text, NOT yet checked
};

// True when `body` has the shape above, as a whole (nothing but whitespace
// after it). The name is checked to be plain printable ASCII; the Data texts
// are only delimited (up to the next '"'): the caller must decode each as
// strict base64 and take the simdjson path when one does not decode, which
// also covers escapes and control characters (none is in base64's alphabet).
// Whatever it returns, `out` may have been changed.
bool scan_canonical_batch(std::string_view body, ScannedBatch& out);

}  // namespace firehose::local
