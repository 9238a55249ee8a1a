// firehose-local's request parsing: PutRecord / PutRecordBatch bodies (the
// hot path: the reader without a JSON parser, simdjson, base64) and
// CreateDeliveryStream's definition reader. Every body ends in a request or
// the service's error, and both batch readers give the same.
// Input: the operation as its first byte, then the body.
#include <chrono>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "fuzz_input.hpp"
#include "put_request.hpp"
#include "stream_definition.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firehose::local;
  if (size == 0) return 0;
  const std::string_view body = firehose::fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto request = parse_put_record(body);
      if (request.ok() && request->records.size() != 1) __builtin_trap();
      break;
    }
    case 1: {
      auto request = parse_put_record_batch(body);
      if (request.ok()) {
        std::size_t total = 0;
        for (const auto& record : request->records) total += record.size();
        if (total != request->total_bytes || request->records.empty() || request->records.size() > 500) {
          __builtin_trap();
        }
      }
      // The reader without simdjson (batch_scan.hpp) answers as simdjson's would.
      auto reference = parse_put_record_batch_with_simdjson(body);
      if (request.ok() != reference.ok()) __builtin_trap();
      if (request.ok() && (request->stream_name != reference->stream_name || request->records != reference->records)) {
        __builtin_trap();
      }
      if (!request.ok() && (request.error().code != reference.error().code ||
                            request.error().message != reference.error().message)) {
        __builtin_trap();
      }
      break;
    }
    default: {
      auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
      if (json.is_discarded() || !json.is_object()) break;
      const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
      auto definition = parse_create_request(json, "us-east-1", "123456789012", now);
      if (definition.ok()) {
        // What is stored reads back.
        if (!definition_from_json(definition_to_json(*definition)).ok()) __builtin_trap();
        (void)describe_stream(*definition, "ACTIVE");
        (void)delivery_destination(*definition);
      }
      break;
    }
  }
  return 0;
}
