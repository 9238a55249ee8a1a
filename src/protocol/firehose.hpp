#pragma once
// The Firehose wire protocol (AWS JSON 1.1): request bodies, response parsing
// and validation. One module for the client, the producer and firehose-local.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/result.hpp"
#include "firehose/types.hpp"

namespace firehose {

// The same answer read in place, for high-volume senders (the producer): its
// entries are views into the answer's text, which it owns, so reading 500
// entries copies and allocates nothing per entry. Moving it keeps the views
// valid; copying is not allowed.
struct PutRecordBatchAnswer {
  struct Entry {
    std::string_view record_id;  // empty when read with RecordIdUse::kChecked
    std::string_view error_code;
    std::string_view error_message;
    bool ok() const { return error_code.empty(); }
  };

  int failed_put_count = 0;
  bool encrypted = false;
  std::vector<Entry> responses;  // one per record, in request order
  bool resent = false;           // as PutRecordBatchResult::resent
  int sends = 1;                 // how often the transport sent the call (resent: > 1)
  // What the views point into: the answer's strings, decoded, back to back
  // (owned here, so the views survive a move of the answer).
  std::vector<std::unique_ptr<std::string>> decoded;

  PutRecordBatchAnswer() = default;
  PutRecordBatchAnswer(PutRecordBatchAnswer&&) = default;
  PutRecordBatchAnswer& operator=(PutRecordBatchAnswer&&) = default;
  PutRecordBatchAnswer(const PutRecordBatchAnswer&) = delete;
  PutRecordBatchAnswer& operator=(const PutRecordBatchAnswer&) = delete;
};

}  // namespace firehose

namespace firehose::protocol {

inline constexpr std::string_view kTargetPrefix = "Firehose_20150804";
inline constexpr std::string_view kJsonVersion = "1.1";
inline constexpr std::string_view kSigningName = "firehose";

// 1..64 characters of [a-zA-Z0-9_.-]; the Error says which rule failed.
Status validate_stream_name(std::string_view name);

// ---- request bodies ----
std::string put_record_body(std::string_view stream_name, std::string_view data);
std::string describe_delivery_stream_body(std::string_view stream_name);
std::string delete_delivery_stream_body(std::string_view stream_name, bool allow_force_delete);
std::string list_delivery_streams_body(std::optional<int> limit, std::string_view exclusive_start,
                                       std::string_view stream_type);
// Validates the request (name, ARNs present, buffering hints in range, compression known).
Result<std::string> create_delivery_stream_body(const CreateDeliveryStreamRequest& request);

// The exact size of a PutRecordBatch body, tracked record by record without
// building it: what a batcher needs to fill a call up to 4 MiB exactly.
class PutRecordBatchSize {
 public:
  explicit PutRecordBatchSize(std::size_t stream_name_length);
  std::size_t size() const { return size_; }
  std::size_t size_with(std::size_t raw_size) const;  // the size if a record of raw_size bytes were added
  void add(std::size_t raw_size);
  std::size_t record_count() const { return records_; }

 private:
  std::size_t size_;
  std::size_t records_ = 0;
};

// PutRecordBatch bodies are built incrementally with their exact encoded size
// known before each record is added, so a batcher can stop at 4 MiB exactly.
// Records are base64-encoded straight into place. A body's buffer can be
// handed to the next builder: a sender reusing one buffer per request skips
// an allocation, its first-touch page faults and the zero fill of every call.
class PutRecordBatchBody {
 public:
  // The stream name must already be valid (validate_stream_name): it is
  // written without JSON escaping, which the name pattern makes unnecessary.
  // `buffer`'s contents are overwritten; only its memory is used.
  explicit PutRecordBatchBody(std::string_view stream_name, std::string buffer = {});

  // Size of the body if `raw_size` bytes of data were added now.
  std::size_t size_with(std::size_t raw_size) const;
  std::size_t size() const;  // size of the finished body with the records so far
  std::size_t record_count() const { return records_; }

  // Makes room for a body of this many bytes (PutRecordBatchSize gives the
  // exact figure): one allocation instead of a doubling series of copies.
  void reserve(std::size_t body_bytes);
  std::size_t capacity() const { return body_.capacity(); }
  // Adds a record; returns where its base64 starts in the body.
  std::size_t add(std::string_view data);
  // Adds a record whose data is base64 already (a record framed in another
  // body, moved here); returns where it starts.
  std::size_t add_encoded(std::string_view base64);
  // Keeps only the first `records` records (> 0), the last of which has
  // its base64 end at `last_data_end`: what follows is dropped.
  void cut_back(std::size_t records, std::size_t last_data_end);
  // The body so far, unfinished (the records' base64 lie where add() said).
  std::string_view text() const { return {body_.data(), used_}; }
  // The finished body; the builder is empty afterwards.
  std::string finish();

 private:
  // `bytes` writable at the cursor; what lies past it is scratch.
  char* room(std::size_t bytes);
  void write(std::string_view text);
  void write_prefix();  // {"DeliveryStreamName":"...","Records":[
  void open_record();   // [prefix or comma] {"Data":"
  void close_record();  // "}

  std::string stream_name_;
  std::string body_;  // the body so far is body_[0, used_)
  std::size_t used_ = 0;
  std::size_t records_ = 0;
};

// ---- responses ----
Result<PutRecordResult> parse_put_record_response(std::string_view body);
// Checks there is one response per record sent.
Result<PutRecordBatchResult> parse_put_record_batch_response(std::string_view body, std::size_t records_sent);
// What an answer's RecordIds are read for: kept (entries view them), or only
// checked (each acknowledged entry has one; entries' record_id stay empty).
// A sender whose records nobody waits on needs none of them, and 500 of 224
// characters are about three quarters of an answer: more than its request
// for records of 100 bytes.
enum class RecordIdUse { kKept, kChecked };
// The same, read in place: the answer keeps `body` and its entries view into it.
Result<PutRecordBatchAnswer> read_put_record_batch_answer(std::string body, std::size_t records_sent,
                                                          RecordIdUse record_ids = RecordIdUse::kKept);
// An owning copy of an answer read in place.
PutRecordBatchResult to_result(const PutRecordBatchAnswer& answer);
Result<DeliveryStreamDescription> parse_describe_delivery_stream_response(std::string_view body);
Result<ListDeliveryStreamsResult> parse_list_delivery_streams_response(std::string_view body);
Result<std::string> parse_create_delivery_stream_response(std::string_view body);  // the ARN

}  // namespace firehose::protocol
