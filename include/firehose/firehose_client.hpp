#pragma once
// Typed client for the Firehose API (AWS JSON 1.1). Each method is one
// attempt; retries belong to the caller (firehose/retry.hpp's
// call_with_retries, or the producer), so that one place decides whether a
// record is sent again. Thread-safe: one client may serve many threads.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/result.hpp"
#include "firehose/session.hpp"
#include "firehose/types.hpp"

namespace firehose {

namespace aws {
class ServiceClient;
}
namespace detail {
struct FirehoseClientAccess;
}

class FirehoseClient {
 public:
  // Resolves the firehose endpoint from the session (flag, environment, config,
  // rules) and shares the session's transport and credentials. Errors: Config
  // (e.g. "InvalidEndpoint").
  static Result<std::shared_ptr<FirehoseClient>> create(const std::shared_ptr<Session>& session);
  // Internal: clients are made with create().
  explicit FirehoseClient(std::shared_ptr<aws::ServiceClient> service);
  ~FirehoseClient();

  // PutRecord: one record (1..1,024,000 bytes, sent as is; Firehose does not
  // add a newline). Client error "RecordTooLarge" before sending when over.
  Result<PutRecordResult> put_record(std::string_view stream_name, std::string_view data) const;
  // One PutRecordBatch call (1..500 records, body <= 4 MiB; the caller splits,
  // or uses put_records_in_batches in firehose/batch_put.hpp). A 200 answer
  // may still hold per-record failures: see PutRecordBatchResult::responses.
  Result<PutRecordBatchResult> put_record_batch(std::string_view stream_name,
                                                const std::vector<std::string_view>& records) const;

  // DescribeDeliveryStream (the fields the tools use, and the whole answer in raw_json).
  Result<DeliveryStreamDescription> describe_delivery_stream(std::string_view stream_name) const;
  // CreateDeliveryStream (DirectPut, Extended S3 destination): the stream's ARN.
  // The stream is CREATING at first; poll describe_delivery_stream for ACTIVE.
  Result<std::string> create_delivery_stream(const CreateDeliveryStreamRequest& request) const;
  // DeleteDeliveryStream.
  Status delete_delivery_stream(std::string_view stream_name, bool allow_force_delete = false) const;
  // ListDeliveryStreams: one page.
  Result<ListDeliveryStreamsResult> list_delivery_streams(std::optional<int> limit = std::nullopt,
                                                          std::string_view exclusive_start = {},
                                                          std::string_view stream_type = {}) const;
  // Every page, following HasMoreDeliveryStreams.
  Result<std::vector<std::string>> list_all_delivery_streams(std::string_view stream_type = {}) const;

  // The endpoint the client sends to, e.g. "https://firehose.eu-west-1.amazonaws.com".
  const std::string& endpoint_url() const;

 private:
  // The producer's in-place PutRecordBatch (src/firehose/batch_body_call.hpp).
  friend struct detail::FirehoseClientAccess;

  // The answer's body; `sends` (when given) gets how often the transport sent the call.
  Result<std::string> call(std::string_view operation, std::string body, int* sends = nullptr) const;
  // The same, with `body` given back after the call (on every path).
  Result<std::string> call_keeping_body(std::string_view operation, std::string& body, int* sends,
                                        const std::atomic<bool>* abort) const;
  std::shared_ptr<aws::ServiceClient> service_;
};

}  // namespace firehose
