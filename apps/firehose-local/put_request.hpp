#pragma once
// PutRecord and PutRecordBatch requests, read and checked the way the service
// does it: the body is deserialised (malformed JSON, wrong types and invalid
// base64 are SerializationException), then validated against the model
// (ValidationException listing every violation: name, 1..500 records, each
// record at most 1,024,000 bytes), then the service's own limit (the records
// of a batch together at most 4 MiB: InvalidArgumentException "Records size
// exceeds 4 MB limit").
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/result.hpp"

namespace firehose::local {

struct PutRequest {
  std::string stream_name;
  std::vector<std::string_view> records;  // decoded data, in request order (views into `storage`)
  std::size_t total_bytes = 0;            // sum of the decoded sizes
  // Every record's bytes, one after the other: one allocation per request,
  // not one per record. Moving the request keeps the views valid.
  std::unique_ptr<char[]> storage;
};

Result<PutRequest> parse_put_record(std::string_view body);
// Reads the shape every client sends without a JSON parser (batch_scan.hpp),
// anything else with simdjson's; the answer is the same either way.
Result<PutRequest> parse_put_record_batch(std::string_view body);
// simdjson's reading alone, for tests that hold the fast one to it.
Result<PutRequest> parse_put_record_batch_with_simdjson(std::string_view body);

}  // namespace firehose::local
