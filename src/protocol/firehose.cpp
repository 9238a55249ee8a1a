#include "protocol/firehose.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <utility>

#include <fmt/format.h>
#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "core/json_parsers.hpp"
#include "firehose/limits.hpp"
#include "protocol/http.hpp"

namespace firehose::protocol {
namespace {

using nlohmann::json;

constexpr std::string_view kBatchPrefixA = R"({"DeliveryStreamName":")";
constexpr std::string_view kBatchPrefixB = R"(","Records":[)";
constexpr std::string_view kRecordOpen = R"({"Data":")";
constexpr std::string_view kRecordClose = R"("})";
constexpr std::string_view kBatchSuffix = "]}";

Error malformed(std::string_view what) {
  return make_error(ErrorKind::Transient, "MalformedResponse",
                    fmt::format("the service's answer could not be read: {}", what));
}

Result<json> parse_object(std::string_view body) {
  auto parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return malformed("not a JSON object");
  return parsed;
}

std::string string_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool bool_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

Error invalid_argument(std::string message) {
  return make_error(ErrorKind::Client, "InvalidArgumentException", std::move(message));
}

}  // namespace

Status validate_stream_name(std::string_view name) {
  if (name.size() < limits::kMinStreamNameLength || name.size() > limits::kMaxStreamNameLength) {
    return make_error(ErrorKind::Client, "ValidationException",
                      fmt::format("delivery stream name must be 1 to 64 characters long (got {})", name.size()));
  }
  const auto bad = std::find_if(name.begin(), name.end(), [](char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
  });
  if (bad != name.end()) {
    return make_error(
        ErrorKind::Client, "ValidationException",
        fmt::format("delivery stream name '{}' may only contain letters, digits, '_', '.' and '-'", name));
  }
  return {};
}

std::string put_record_body(std::string_view stream_name, std::string_view data) {
  json body = {{"DeliveryStreamName", stream_name}, {"Record", {{"Data", aws::crypto::base64_encode(data)}}}};
  return body.dump();
}

std::string describe_delivery_stream_body(std::string_view stream_name) {
  return json{{"DeliveryStreamName", stream_name}}.dump();
}

std::string delete_delivery_stream_body(std::string_view stream_name, bool allow_force_delete) {
  json body = {{"DeliveryStreamName", stream_name}};
  if (allow_force_delete) body["AllowForceDelete"] = true;
  return body.dump();
}

std::string list_delivery_streams_body(std::optional<int> limit, std::string_view exclusive_start,
                                       std::string_view stream_type) {
  json body = json::object();
  if (limit) body["Limit"] = *limit;
  if (!exclusive_start.empty()) body["ExclusiveStartDeliveryStreamName"] = exclusive_start;
  if (!stream_type.empty()) body["DeliveryStreamType"] = stream_type;
  return body.dump();
}

Result<std::string> create_delivery_stream_body(const CreateDeliveryStreamRequest& request) {
  if (auto valid = validate_stream_name(request.delivery_stream_name); !valid) return valid.error();
  if (request.bucket_arn.rfind("arn:", 0) != 0 || request.bucket_arn.find(":s3:::") == std::string::npos) {
    return invalid_argument(fmt::format("bucket ARN '{}' is not of the form arn:aws:s3:::BUCKET", request.bucket_arn));
  }
  if (request.role_arn.rfind("arn:", 0) != 0 || request.role_arn.find(":role/") == std::string::npos) {
    return invalid_argument(
        fmt::format("role ARN '{}' is not of the form arn:aws:iam::ACCOUNT:role/NAME", request.role_arn));
  }
  json s3 = {{"BucketARN", request.bucket_arn}, {"RoleARN", request.role_arn}};
  if (!request.prefix.empty()) s3["Prefix"] = request.prefix;
  if (!request.error_output_prefix.empty()) s3["ErrorOutputPrefix"] = request.error_output_prefix;
  if (request.buffering_hints) {
    const auto& hints = *request.buffering_hints;
    if (hints.size_in_mbs < 1 || hints.size_in_mbs > 128) {
      return invalid_argument(fmt::format("buffer size must be 1 to 128 MiB (got {})", hints.size_in_mbs));
    }
    if (hints.interval_in_seconds < 0 || hints.interval_in_seconds > 900) {
      return invalid_argument(
          fmt::format("buffer interval must be 0 to 900 seconds (got {})", hints.interval_in_seconds));
    }
    s3["BufferingHints"] = {{"SizeInMBs", hints.size_in_mbs}, {"IntervalInSeconds", hints.interval_in_seconds}};
  }
  if (!request.compression_format.empty()) {
    static constexpr std::array<std::string_view, 5> kFormats = {"UNCOMPRESSED", "GZIP", "ZIP", "Snappy",
                                                                 "HADOOP_SNAPPY"};
    if (std::find(kFormats.begin(), kFormats.end(), request.compression_format) == kFormats.end()) {
      return invalid_argument(
          fmt::format("compression '{}' is not one of UNCOMPRESSED, GZIP, ZIP, Snappy, "
                      "HADOOP_SNAPPY",
                      request.compression_format));
    }
    s3["CompressionFormat"] = request.compression_format;
  }
  json body = {{"DeliveryStreamName", request.delivery_stream_name},
               {"DeliveryStreamType", request.delivery_stream_type},
               {"ExtendedS3DestinationConfiguration", std::move(s3)}};
  return body.dump();
}

// ---- PutRecordBatch ----

PutRecordBatchSize::PutRecordBatchSize(std::size_t stream_name_length)
    : size_(kBatchPrefixA.size() + stream_name_length + kBatchPrefixB.size() + kBatchSuffix.size()) {}

std::size_t PutRecordBatchSize::size_with(std::size_t raw_size) const {
  const std::size_t separator = records_ == 0 ? 0 : 1;
  return size_ + separator + kRecordOpen.size() + aws::crypto::base64_encoded_size(raw_size) + kRecordClose.size();
}

void PutRecordBatchSize::add(std::size_t raw_size) {
  size_ = size_with(raw_size);
  ++records_;
}

PutRecordBatchBody::PutRecordBatchBody(std::string_view stream_name, std::string buffer)
    : stream_name_(stream_name), body_(std::move(buffer)) {}

std::size_t PutRecordBatchBody::size() const {
  if (records_ == 0) {
    return kBatchPrefixA.size() + stream_name_.size() + kBatchPrefixB.size() + kBatchSuffix.size();
  }
  return used_ + kBatchSuffix.size();
}

std::size_t PutRecordBatchBody::size_with(std::size_t raw_size) const {
  const std::size_t separator = records_ == 0 ? 0 : 1;
  return size() + separator + kRecordOpen.size() + aws::crypto::base64_encoded_size(raw_size) + kRecordClose.size();
}

void PutRecordBatchBody::reserve(std::size_t body_bytes) {
  if (body_bytes <= body_.capacity()) return;
  // Exactly what is asked for: std::string::reserve grows a buffer to at
  // least twice its capacity. A reused 3 MB buffer asked for 4 MB became
  // 6 MB, which the memory budget, charging the body's size, never saw
  // (--pack under a quota peaked at 66-71 MiB for a 36 MiB budget).
  std::string grown;
  grown.reserve(body_bytes);
  grown.append(body_.data(), used_);
  body_.swap(grown);
}

char* PutRecordBatchBody::room(std::size_t bytes) {
  const std::size_t needed = used_ + bytes;
  if (needed > body_.size()) {
    // A reused buffer's size is its last body's, less than its capacity:
    // within the capacity only the size grows. Doubling the size instead
    // moved every body a little longer than the last one into a new buffer
    // of twice its size, zero-filled and faulted in (5.6 % of the CPU of
    // `firehose send` on 1 KiB lines).
    if (needed > body_.capacity()) {
      reserve(std::max(needed, std::min<std::size_t>(limits::kMaxBatchRequestBytes, body_.capacity() * 2)));
    }
    // The string's size marks how far it is writable, and std::string
    // zero-fills what it grows by: so it grows in steps, never to the whole
    // capacity at once. Growing to the capacity zero-filled (and faulted in)
    // the ~150 KB each 1 KiB-line body leaves unused of its 832 KiB buffer,
    // for every body: 1.5 % of the CPU of `firehose send`, and as much again
    // in page faults.
    constexpr std::size_t kWritableStep = 64 * 1024;
    body_.resize(std::min(body_.capacity(), std::max(needed, body_.size() + kWritableStep)));
  }
  return body_.data() + used_;
}

void PutRecordBatchBody::write(std::string_view text) {
  std::memcpy(room(text.size()), text.data(), text.size());
  used_ += text.size();
}

void PutRecordBatchBody::write_prefix() {
  write(kBatchPrefixA);
  write(stream_name_);
  write(kBatchPrefixB);
}

void PutRecordBatchBody::open_record() {
  if (records_ == 0) {
    write_prefix();
  } else {
    write(",");
  }
  write(kRecordOpen);
}

void PutRecordBatchBody::close_record() {
  write(kRecordClose);
  ++records_;
}

std::size_t PutRecordBatchBody::add(std::string_view data) {
  open_record();
  const std::size_t start = used_;
  const std::size_t encoded = aws::crypto::base64_encoded_size(data.size());
  aws::crypto::base64_encode_to(data, room(encoded));
  used_ += encoded;
  close_record();
  return start;
}

std::size_t PutRecordBatchBody::add_encoded(std::string_view base64) {
  open_record();
  const std::size_t start = used_;
  write(base64);
  close_record();
  return start;
}

void PutRecordBatchBody::cut_back(std::size_t records, std::size_t last_data_end) {
  used_ = last_data_end + kRecordClose.size();
  records_ = records;
}

std::string PutRecordBatchBody::finish() {
  if (records_ == 0) write_prefix();
  write(kBatchSuffix);
  body_.resize(used_);
  used_ = 0;
  records_ = 0;
  return std::exchange(body_, std::string());
}

// ---- responses ----

Result<PutRecordResult> parse_put_record_response(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return object.error();
  PutRecordResult result;
  result.record_id = string_field(*object, "RecordId");
  result.encrypted = bool_field(*object, "Encrypted");
  if (result.record_id.empty()) return malformed("PutRecord answer has no RecordId");
  return result;
}

Result<PutRecordBatchResult> parse_put_record_batch_response(std::string_view body, std::size_t records_sent) {
  auto answer = read_put_record_batch_answer(std::string(body), records_sent);
  if (!answer) return answer.error();
  return to_result(*answer);
}

namespace {

namespace dom = simdjson::dom;

// The decoded strings of one answer, back to back: reserved to the body's size
// (a JSON string never decodes longer than it is written), so appending never
// moves what earlier views point at.
class StringArena {
 public:
  explicit StringArena(std::size_t capacity) : text_(std::make_unique<std::string>()) { text_->reserve(capacity); }
  std::string_view keep(std::string_view value) {
    const std::size_t at = text_->size();
    text_->append(value);
    return std::string_view(*text_).substr(at, value.size());
  }
  std::unique_ptr<std::string> release() { return std::move(text_); }

 private:
  std::unique_ptr<std::string> text_;
};

// One RequestResponses entry. Its three members are read when they are
// strings (anything else reads as absent); other members are ignored.
Status read_entry(dom::element item, StringArena& arena, RecordIdUse record_ids, PutRecordBatchAnswer::Entry& entry) {
  dom::object object;
  if (item.get_object().get(object) != simdjson::SUCCESS) return malformed("a RequestResponses entry is not an object");
  bool has_record_id = false;
  for (dom::key_value_pair field : object) {
    std::string_view* target = field.key == "RecordId"       ? &entry.record_id
                               : field.key == "ErrorCode"    ? &entry.error_code
                               : field.key == "ErrorMessage" ? &entry.error_message
                                                             : nullptr;
    if (target == nullptr) continue;
    std::string_view text;
    if (field.value.get_string().get(text) != simdjson::SUCCESS) text = {};
    if (target == &entry.record_id) {
      has_record_id = !text.empty();
      if (record_ids == RecordIdUse::kChecked) continue;
    }
    *target = text.empty() ? std::string_view() : arena.keep(text);
  }
  if (!has_record_id && entry.error_code.empty())
    return malformed("an entry has neither RecordId nor ErrorCode");
  return {};
}

}  // namespace

// The hot answer: one per PutRecordBatch call, 500 RecordIds of 224
// characters. simdjson's DOM parser validates the whole answer with the
// machine's SIMD kernels, chosen at run time (its On-Demand API is inlined
// into our code and so gets only the baseline x86-64 kernel): several times
// faster than the hand-written reader it replaced (docs/benchmarks.md,
// "JSON readers").
Result<PutRecordBatchAnswer> read_put_record_batch_answer(std::string body, std::size_t records_sent,
                                                          RecordIdUse record_ids) {
  // The parser reads up to SIMDJSON_PADDING bytes past the end: the body's
  // own capacity provides them (else it would copy the body). The transport
  // left that room already; reserving more would copy the whole answer.
  static_assert(simdjson::SIMDJSON_PADDING <= aws::HttpResponse::kBodySlack);
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  PutRecordBatchAnswer answer;
  // The parsers are shared by the sender threads (core/json_parsers.hpp);
  // the strings kept are copied out before the lease ends.
  static core::JsonParsers parsers(/*max_depth=*/64);
  const auto lease = parsers.take();
  if (lease.get() == nullptr) return malformed("no memory for the JSON parser");
  dom::element root_element;
  if (auto error = lease.get()->parse(body).get(root_element)) return malformed(simdjson::error_message(error));
  dom::object root;
  if (root_element.get_object().get(root) != simdjson::SUCCESS) return malformed("not a JSON object");
  dom::array responses;
  if (root["RequestResponses"].get_array().get(responses) != simdjson::SUCCESS) return malformed("no RequestResponses");
  bool encrypted = false;
  answer.encrypted = root["Encrypted"].get_bool().get(encrypted) == simdjson::SUCCESS && encrypted;
  if (responses.size() != records_sent) {
    return malformed(records_sent < responses.size()
                         ? fmt::format("more RequestResponses than the {} records sent", records_sent)
                         : fmt::format("{} RequestResponses for {} records", responses.size(), records_sent));
  }
  StringArena arena(body.size());
  answer.responses.resize(records_sent);
  std::size_t index = 0;
  for (dom::element item : responses) {
    if (auto entry = read_entry(item, arena, record_ids, answer.responses[index++]); !entry) return entry.error();
  }
  // Trust the entries over the count: they are what says which record to retry.
  answer.failed_put_count = static_cast<int>(
      std::count_if(answer.responses.begin(), answer.responses.end(), [](const auto& e) { return !e.ok(); }));
  answer.decoded.push_back(arena.release());
  return answer;
}

PutRecordBatchResult to_result(const PutRecordBatchAnswer& answer) {
  PutRecordBatchResult result;
  result.failed_put_count = answer.failed_put_count;
  result.encrypted = answer.encrypted;
  result.resent = answer.resent;
  result.responses.reserve(answer.responses.size());
  for (const auto& entry : answer.responses) {
    result.responses.push_back(
        {std::string(entry.record_id), std::string(entry.error_code), std::string(entry.error_message)});
  }
  return result;
}

Result<DeliveryStreamDescription> parse_describe_delivery_stream_response(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return object.error();
  auto it = object->find("DeliveryStreamDescription");
  if (it == object->end() || !it->is_object()) return malformed("no DeliveryStreamDescription");
  DeliveryStreamDescription d;
  d.delivery_stream_name = string_field(*it, "DeliveryStreamName");
  d.delivery_stream_arn = string_field(*it, "DeliveryStreamARN");
  d.delivery_stream_status = string_field(*it, "DeliveryStreamStatus");
  d.delivery_stream_type = string_field(*it, "DeliveryStreamType");
  d.version_id = string_field(*it, "VersionId");
  d.raw_json = it->dump();
  return d;
}

Result<ListDeliveryStreamsResult> parse_list_delivery_streams_response(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return object.error();
  ListDeliveryStreamsResult result;
  auto names = object->find("DeliveryStreamNames");
  if (names == object->end() || !names->is_array()) return malformed("no DeliveryStreamNames");
  for (const auto& name : *names) {
    if (name.is_string()) result.delivery_stream_names.push_back(name.get<std::string>());
  }
  result.has_more = bool_field(*object, "HasMoreDeliveryStreams");
  return result;
}

Result<std::string> parse_create_delivery_stream_response(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return object.error();
  return string_field(*object, "DeliveryStreamARN");
}

}  // namespace firehose::protocol

namespace firehose::limits {

std::size_t min_batch_request_bytes(std::size_t stream_name_length) {
  return protocol::PutRecordBatchSize(stream_name_length).size_with(kMaxRecordBytes);
}

}  // namespace firehose::limits
