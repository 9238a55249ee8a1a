#include "put_request.hpp"

#include <optional>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/crypto.hpp"
#include "core/json_parsers.hpp"
#include "firehose/limits.hpp"
#include "request_validation.hpp"

namespace firehose::local {
namespace {

namespace dom = simdjson::dom;

core::JsonParsers& json_parsers() {
  // Deeper than any Firehose request needs: a hostile body cannot make the
  // parser's stack grow. The server leaves this limit to the parser on the
  // put path (no scan of its own first).
  static core::JsonParsers parsers(kMaxJsonNesting);
  return parsers;
}

// Jackson's token names, which the service's SerializationException messages use.
const char* token_name(dom::element value) {
  switch (value.type()) {
    case dom::element_type::STRING: return "STRING_VALUE";
    case dom::element_type::BOOL: return "BOOLEAN_VALUE";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: return "NUMBER_VALUE";
    case dom::element_type::ARRAY: return "START_ARRAY";
    case dom::element_type::OBJECT: return "START_OBJECT";
    case dom::element_type::NULL_VALUE: return "VALUE_NULL";
  }
  return "VALUE";
}

Error type_error(dom::element value, const char* expected) {
  return serialization_error(fmt::format("{} can not be converted to {}", token_name(value), expected));
}

// The member, or nullopt when it is absent or null (the service reads both alike).
std::optional<dom::element> member(dom::object object, std::string_view key) {
  dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

// A member that must be a string when present; absent and null read as nullopt.
Result<std::optional<std::string>> string_member(dom::object object, std::string_view key) {
  auto value = member(object, key);
  if (!value) return std::optional<std::string>();
  if (!value->is_string()) return type_error(*value, "a String");
  return std::optional<std::string>(std::string(std::string_view(*value)));
}

// A record ({"Data": "<base64>"}): decoded data, or nullopt when Data is missing.
Result<std::optional<std::string>> read_record(dom::element record) {
  if (!record.is_object()) return type_error(record, "a Structure");
  auto data = member(dom::object(record), "Data");
  if (!data) return std::optional<std::string>();
  if (!data->is_string()) return type_error(*data, "a Blob");
  auto decoded = aws::crypto::base64_decode(std::string_view(*data));
  if (!decoded.ok()) {
    return serialization_error(fmt::format("Data is not valid base64: {}", decoded.error().message));
  }
  return std::optional<std::string>(std::move(decoded.value()));
}

// The whole body as a JSON object. simdjson's DOM parser validates all of it
// (a request malformed anywhere is a SerializationException, as the service
// answers) at several GB/s (docs/benchmarks.md, "JSON readers"); strings are
// views into the parser's buffers, so each caller copies what it keeps before
// its lease ends. The parsers are shared by the server's threads
// (core/json_parsers.hpp): a 4 MiB request leaves about twice that resident
// in the parser that read it.
Result<dom::object> parse_object(const core::JsonParsers::Lease& parser, std::string_view body) {
  if (parser.get() == nullptr) {
    return make_error(ErrorKind::Transient, "InternalFailure", "no memory for the request's JSON parser");
  }
  dom::element root;
  if (auto error = parser.get()->parse(body.data(), body.size()).get(root)) {
    if (error == simdjson::DEPTH_ERROR) return serialization_error(too_deep_message());
    return serialization_error(fmt::format("Malformed JSON in the request body: {}", simdjson::error_message(error)));
  }
  if (!root.is_object()) return type_error(root, "a Structure");
  return dom::object(root);
}

}  // namespace

Result<PutRequest> parse_put_record(std::string_view body) {
  const auto parser = json_parsers().take();
  auto root = parse_object(parser, body);
  if (!root.ok()) return root.error();

  auto name = string_member(*root, "DeliveryStreamName");
  if (!name.ok()) return name.error();
  std::optional<std::string> data;
  const auto record = member(*root, "Record");
  const bool has_record = record.has_value();
  if (has_record) {
    auto read = read_record(*record);
    if (!read.ok()) return read.error();
    data = std::move(read.value());
  }

  ValidationErrors errors;
  check_stream_name(errors, "deliveryStreamName", *name, /*required=*/true);
  if (!has_record) {
    errors.not_null("record");
  } else if (!data) {
    errors.not_null("record.data");
  } else if (data->size() > limits::kMaxRecordBytes) {
    errors.max_length(blob_value(data->size()), "record.data", limits::kMaxRecordBytes);
  }
  if (!errors.empty()) return errors.error();

  PutRequest request;
  request.stream_name = std::move(**name);
  request.total_bytes = data->size();
  request.records.push_back(std::move(*data));
  return request;
}

Result<PutRequest> parse_put_record_batch(std::string_view body) {
  const auto parser = json_parsers().take();
  auto root = parse_object(parser, body);
  if (!root.ok()) return root.error();

  auto name = string_member(*root, "DeliveryStreamName");
  if (!name.ok()) return name.error();
  const auto records = member(*root, "Records");
  const bool has_records = records.has_value();
  if (has_records && !records->is_array()) return type_error(*records, "a List");

  std::vector<std::optional<std::string>> decoded;
  if (has_records) {
    const dom::array items(*records);
    decoded.reserve(items.size());
    for (dom::element record : items) {
      auto read = read_record(record);
      if (!read.ok()) return read.error();
      decoded.push_back(std::move(read.value()));
    }
  }

  ValidationErrors errors;
  check_stream_name(errors, "deliveryStreamName", *name, /*required=*/true);
  if (!has_records) {
    errors.not_null("records");
  } else if (decoded.empty()) {
    errors.min_length("'[]'", "records", 1);
  } else if (decoded.size() > limits::kMaxBatchRecords) {
    std::string list = "'[";
    for (std::size_t i = 0; i < decoded.size(); ++i) {
      if (i > 0) list += ", ";
      list += decoded[i] ? fmt::format("Record(data=java.nio.HeapByteBuffer[pos=0 lim={} cap={}])", decoded[i]->size(),
                                       decoded[i]->size())
                         : std::string("Record(data=null)");
    }
    list += "]'";
    errors.max_length(list, "records", limits::kMaxBatchRecords);
  }
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    const std::string path = fmt::format("records.{}.member.data", i + 1);
    if (!decoded[i])
      errors.not_null(path);
    else if (decoded[i]->size() > limits::kMaxRecordBytes) {
      errors.max_length(blob_value(decoded[i]->size()), path, limits::kMaxRecordBytes);
    }
  }
  if (!errors.empty()) return errors.error();

  PutRequest request;
  request.stream_name = std::move(**name);
  request.records.reserve(decoded.size());
  for (auto& data : decoded) {
    request.total_bytes += data->size();
    request.records.push_back(std::move(*data));
  }
  if (request.total_bytes > limits::kMaxBatchRequestBytes) {
    return invalid_argument("Records size exceeds 4 MB limit");
  }
  return request;
}

}  // namespace firehose::local
