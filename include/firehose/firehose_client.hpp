#pragma once
// Typed client for the Firehose API (AWS JSON 1.1). Each method is one
// attempt; retries belong to the caller (see firehose/retry.hpp and the
// producer), so that one place decides whether a record is sent again.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/result.hpp"
#include "firehose/session.hpp"
#include "firehose/types.hpp"

namespace firehose {

namespace aws { class ServiceClient; }

class FirehoseClient {
 public:
  // Resolves the firehose endpoint from the session (flag, environment, config, rules).
  static Result<std::shared_ptr<FirehoseClient>> create(const std::shared_ptr<Session>& session);
  explicit FirehoseClient(std::shared_ptr<aws::ServiceClient> service);
  ~FirehoseClient();

  Result<PutRecordResult> put_record(std::string_view stream_name, std::string_view data) const;
  // One PutRecordBatch call (1..500 records, body <= 4 MiB; the caller splits).
  Result<PutRecordBatchResult> put_record_batch(std::string_view stream_name,
                                                const std::vector<std::string_view>& records) const;
  // Sends a body built with protocol::PutRecordBatchBody holding `record_count`
  // records; the answer is read in place. `body` is left as it was sent, so
  // that its buffer can hold the next call's body (PutRecordBatchBody takes
  // it back).
  // When `abort` is given and turns true, a call in progress is abandoned
  // (Transport error "RequestAborted"; its records may have been stored).
  Result<PutRecordBatchAnswer> put_record_batch_body(std::string& body, std::size_t record_count,
                                                     const std::atomic<bool>* abort = nullptr) const;

  Result<DeliveryStreamDescription> describe_delivery_stream(std::string_view stream_name) const;
  Result<std::string> create_delivery_stream(const CreateDeliveryStreamRequest& request) const;  // the ARN
  Status delete_delivery_stream(std::string_view stream_name, bool allow_force_delete = false) const;
  // One page.
  Result<ListDeliveryStreamsResult> list_delivery_streams(std::optional<int> limit = std::nullopt,
                                                          std::string_view exclusive_start = {},
                                                          std::string_view stream_type = {}) const;
  // Every page, following HasMoreDeliveryStreams.
  Result<std::vector<std::string>> list_all_delivery_streams(std::string_view stream_type = {}) const;

  const std::string& endpoint_url() const;

 private:
  // The answer's body; `sends` (when given) gets how often the transport sent the call.
  Result<std::string> call(std::string_view operation, std::string body, int* sends = nullptr) const;
  // The same, with `body` given back after the call (on every path).
  Result<std::string> call_keeping_body(std::string_view operation, std::string& body, int* sends,
                                        const std::atomic<bool>* abort = nullptr) const;
  std::shared_ptr<aws::ServiceClient> service_;
};

}  // namespace firehose
