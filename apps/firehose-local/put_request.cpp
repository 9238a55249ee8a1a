#include "put_request.hpp"

#include <optional>
#include <utility>

#include <fmt/format.h>
#include <simdjson.h>

#include "batch_scan.hpp"
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

// The decoded records of one request, one after the other in one buffer
// sized for the body (a record's decoded bytes are fewer than its base64,
// which with its JSON escapes undone is no longer than in the body).
class RecordStorage {
 public:
  explicit RecordStorage(std::size_t body_size)
      : data_(std::make_unique_for_overwrite<char[]>(aws::crypto::base64_decoded_bound(body_size) + 1)) {}

  // Decodes `text` after the records before it: its bytes, or the decoder's error.
  Result<std::string_view> decode(std::string_view text) {
    auto size = aws::crypto::base64_decode_to(text, data_.get() + used_);
    if (!size.ok()) return size.error();
    const std::string_view bytes(data_.get() + used_, *size);
    used_ += *size;
    return bytes;
  }

  std::unique_ptr<char[]> release() { return std::move(data_); }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t used_ = 0;
};

Error invalid_data(const Error& decoding) {
  return serialization_error(fmt::format("Data is not valid base64: {}", decoding.message));
}

// A record ({"Data": "<base64>"}): decoded data, or nullopt when Data is missing.
Result<std::optional<std::string_view>> read_record(dom::element record, RecordStorage& storage) {
  if (!record.is_object()) return type_error(record, "a Structure");
  auto data = member(dom::object(record), "Data");
  if (!data) return std::optional<std::string_view>();
  if (!data->is_string()) return type_error(*data, "a Blob");
  auto decoded = storage.decode(std::string_view(*data));
  if (!decoded.ok()) return invalid_data(decoded.error());
  return std::optional<std::string_view>(*decoded);
}

// The model's checks and the service's own limit on a batch as read:
// `decoded` holds each record's data (nullopt: no Data).
Result<PutRequest> checked_batch(std::optional<std::string> name, bool has_records,
                                 const std::vector<std::optional<std::string_view>>& decoded,
                                 RecordStorage& storage) {
  ValidationErrors errors;
  check_stream_name(errors, "deliveryStreamName", name, /*required=*/true);
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
    if (!decoded[i]) {
      errors.not_null(fmt::format("records.{}.member.data", i + 1));
    } else if (decoded[i]->size() > limits::kMaxRecordBytes) {
      errors.max_length(blob_value(decoded[i]->size()), fmt::format("records.{}.member.data", i + 1),
                        limits::kMaxRecordBytes);
    }
  }
  if (!errors.empty()) return errors.error();

  PutRequest request;
  request.stream_name = std::move(*name);
  request.records.reserve(decoded.size());
  for (const auto& data : decoded) {
    request.total_bytes += data->size();
    request.records.push_back(*data);
  }
  if (request.total_bytes > limits::kMaxBatchRequestBytes) {
    return invalid_argument("Records size exceeds 4 MB limit");
  }
  request.storage = storage.release();
  return request;
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
  RecordStorage storage(body.size());
  std::optional<std::string_view> data;
  const auto record = member(*root, "Record");
  const bool has_record = record.has_value();
  if (has_record) {
    auto read = read_record(*record, storage);
    if (!read.ok()) return read.error();
    data = *read;
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
  request.records.push_back(*data);
  request.storage = storage.release();
  return request;
}

Result<PutRequest> parse_put_record_batch(std::string_view body) {
  ScannedBatch scanned;
  if (scan_canonical_batch(body, scanned)) {
    RecordStorage storage(body.size());
    std::vector<std::optional<std::string_view>> decoded;
    decoded.reserve(scanned.records.size());
    for (std::string_view text : scanned.records) {
      auto bytes = storage.decode(text);
      if (!bytes.ok()) break;  // simdjson's reading finds it again and says so the same way
      decoded.emplace_back(*bytes);
    }
    if (decoded.size() == scanned.records.size()) {
      return checked_batch(std::string(scanned.stream_name), true, decoded, storage);
    }
  }
  return parse_put_record_batch_with_simdjson(body);
}

Result<PutRequest> parse_put_record_batch_with_simdjson(std::string_view body) {
  const auto parser = json_parsers().take();
  auto root = parse_object(parser, body);
  if (!root.ok()) return root.error();

  auto name = string_member(*root, "DeliveryStreamName");
  if (!name.ok()) return name.error();
  const auto records = member(*root, "Records");
  const bool has_records = records.has_value();
  if (has_records && !records->is_array()) return type_error(*records, "a List");

  RecordStorage storage(body.size());
  std::vector<std::optional<std::string_view>> decoded;
  if (has_records) {
    const dom::array items(*records);
    decoded.reserve(items.size());
    for (dom::element record : items) {
      auto read = read_record(record, storage);
      if (!read.ok()) return read.error();
      decoded.push_back(*read);
    }
  }
  return checked_batch(std::move(*name), has_records, decoded, storage);
}

}  // namespace firehose::local
