#include "put_request.hpp"

#include <optional>

#include <fmt/format.h>

#include "core/crypto.hpp"
#include "core/json_view.hpp"
#include "firehose/limits.hpp"
#include "request_validation.hpp"

namespace firehose::local {
namespace {

namespace json_view = aws::json_view;

using json_view::Value;

const char* token_name(const Value& value) {
  switch (value.type) {
    case Value::Type::String: return "STRING_VALUE";
    case Value::Type::Bool: return "BOOLEAN_VALUE";
    case Value::Type::Number: return "NUMBER_VALUE";
    case Value::Type::Array: return "START_ARRAY";
    case Value::Type::Object: return "START_OBJECT";
    case Value::Type::Null: return "VALUE_NULL";
  }
  return "VALUE";
}

Error type_error(const Value& value, const char* expected) {
  return serialization_error(fmt::format("{} can not be converted to {}", token_name(value), expected));
}

// A member that must be a string when present; absent and null read as nullopt.
Result<std::optional<std::string>> string_member(const Value& object, std::string_view key) {
  const Value* member = object.find(key);
  if (member == nullptr || member->is_null()) return std::optional<std::string>();
  if (!member->is_string()) return type_error(*member, "a String");
  return std::optional<std::string>(std::string(member->text));
}

// A record ({"Data": "<base64>"}): decoded data, or nullopt when Data is missing.
Result<std::optional<std::string>> read_record(const Value& record) {
  if (!record.is_object()) return type_error(record, "a Structure");
  const Value* data = record.find("Data");
  if (data == nullptr || data->is_null()) return std::optional<std::string>();
  if (!data->is_string()) return type_error(*data, "a Blob");
  auto decoded = aws::crypto::base64_decode(data->text);
  if (!decoded.ok()) {
    return serialization_error(fmt::format("Data is not valid base64: {}", decoded.error().message));
  }
  return std::optional<std::string>(std::move(decoded.value()));
}

Result<json_view::Document> parse_object(std::string_view body) {
  auto document = json_view::Document::parse(body);
  if (!document.ok()) return document.error();
  if (!document->root().is_object()) return type_error(document->root(), "a Structure");
  return document;
}

}  // namespace

Result<PutRequest> parse_put_record(std::string_view body) {
  auto document = parse_object(body);
  if (!document.ok()) return document.error();
  const Value& root = document->root();

  auto name = string_member(root, "DeliveryStreamName");
  if (!name.ok()) return name.error();
  std::optional<std::string> data;
  const Value* record = root.find("Record");
  const bool has_record = record != nullptr && !record->is_null();
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
  auto document = parse_object(body);
  if (!document.ok()) return document.error();
  const Value& root = document->root();

  auto name = string_member(root, "DeliveryStreamName");
  if (!name.ok()) return name.error();
  const Value* records = root.find("Records");
  const bool has_records = records != nullptr && !records->is_null();
  if (has_records && !records->is_array()) return type_error(*records, "a List");

  std::vector<std::optional<std::string>> decoded;
  if (has_records) {
    decoded.reserve(records->items.size());
    for (const Value& record : records->items) {
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
    if (!decoded[i]) errors.not_null(path);
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
