#pragma once
// The Firehose API's request and response shapes, as plain structs.
// Field names follow the service model (botocore's firehose 2015-08-04).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

struct BufferingHints {
  int size_in_mbs = 5;            // 1..128
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
  // The whole DeliveryStreamDescription as the service sent it: a JSON object
  // (destinations, encryption, timestamps ...), for fields not mirrored above.
  std::string raw_json;
};

struct ListDeliveryStreamsResult {
  std::vector<std::string> delivery_stream_names;
  bool has_more = false;
};

}  // namespace firehose
