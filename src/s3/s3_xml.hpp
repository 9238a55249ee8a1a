#pragma once
// S3's REST-XML answers that the client reads: a ListObjectsV2 page. Errors
// (<Error><Code>..</Code><Message>..</Message></Error>) are read by the
// service client's shared error rule (aws/json_protocol.hpp).
#include <string_view>

#include "firehose/result.hpp"
#include "firehose/s3_client.hpp"

namespace firehose::s3 {

// A ListBucketResult: every <Contents> (Key, Size, LastModified, ETag, with
// XML entities decoded), IsTruncated and NextContinuationToken. Errors:
// Transient, "MalformedResponse", naming what is missing or unreadable (an
// endpoint that answers 200 with something else must not read as an empty bucket).
Result<S3ObjectPage> parse_list_objects_v2(std::string_view xml);

// The key as it goes into a URL path: RFC 3986 unreserved characters and '/'
// as they are, every other byte %XX (upper-case hex), as S3 signs it.
std::string encode_key(std::string_view key);
// A query parameter's value: the same, '/' encoded too.
std::string encode_query_value(std::string_view value);

}  // namespace firehose::s3
