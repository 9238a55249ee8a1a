#pragma once
// The Firehose API's request and response shapes, as plain structs.
// Field names follow the service model (botocore's firehose 2015-08-04).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace firehose {

struct PutRecordResult {
  std::string record_id;
  bool encrypted = false;
};

// One entry of RequestResponses: a RecordId, or an ErrorCode with its message.
struct PutRecordBatchEntry {
  std::string record_id;
  std::string error_code;
  std::string error_message;
  bool ok() const { return error_code.empty(); }
};

struct PutRecordBatchResult {
  int failed_put_count = 0;
  bool encrypted = false;
  std::vector<PutRecordBatchEntry> responses;  // one per record, in request order
  // The transport sent the call more than once (a reused connection died
  // without an answer): the records may have been stored twice.
  bool resent = false;
};

// The same answer read in place, for high-volume senders (the producer): its
// entries are views into the answer's text, which it owns, so reading 500
// entries copies and allocates nothing per entry. Moving it keeps the views
// valid; copying is not allowed.
struct PutRecordBatchAnswer {
  struct Entry {
    std::string_view record_id;
    std::string_view error_code;
    std::string_view error_message;
    bool ok() const { return error_code.empty(); }
  };

  int failed_put_count = 0;
  bool encrypted = false;
  std::vector<Entry> responses;  // one per record, in request order
  bool resent = false;           // as PutRecordBatchResult::resent
  int sends = 1;                 // how often the transport sent the call (resent: > 1)
  // What the views point into: the answer's body and the decoded copies of
  // strings that had JSON escapes.
  std::unique_ptr<const std::string> text;
  std::vector<std::unique_ptr<std::string>> decoded;

  PutRecordBatchAnswer() = default;
  PutRecordBatchAnswer(PutRecordBatchAnswer&&) = default;
  PutRecordBatchAnswer& operator=(PutRecordBatchAnswer&&) = default;
  PutRecordBatchAnswer(const PutRecordBatchAnswer&) = delete;
  PutRecordBatchAnswer& operator=(const PutRecordBatchAnswer&) = delete;
};

struct BufferingHints {
  int size_in_mbs = 5;          // 1..128
  int interval_in_seconds = 300;  // 0..900
};

// CreateDeliveryStream for a DirectPut stream with an Extended S3 destination.
struct CreateDeliveryStreamRequest {
  std::string delivery_stream_name;
  std::string delivery_stream_type = "DirectPut";
  std::string bucket_arn;
  std::string role_arn;
  std::string prefix;
  std::string error_output_prefix;
  std::optional<BufferingHints> buffering_hints;
  std::string compression_format;  // UNCOMPRESSED|GZIP|ZIP|Snappy|HADOOP_SNAPPY; empty = service default
};

struct DeliveryStreamDescription {
  std::string delivery_stream_name;
  std::string delivery_stream_arn;
  std::string delivery_stream_status;  // CREATING|CREATING_FAILED|DELETING|DELETING_FAILED|ACTIVE
  std::string delivery_stream_type;
  std::string version_id;
  nlohmann::json raw;  // the whole DeliveryStreamDescription as the service sent it
};

struct ListDeliveryStreamsResult {
  std::vector<std::string> delivery_stream_names;
  bool has_more = false;
};

}  // namespace firehose
