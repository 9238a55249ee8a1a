#include "firehose/firehose_client.hpp"

#include <fmt/format.h>

#include "aws/json_protocol.hpp"
#include "aws/service_client.hpp"
#include "aws/session_impl.hpp"
#include "firehose/batch_body_call.hpp"
#include "firehose/limits.hpp"
#include "protocol/firehose.hpp"

namespace firehose {

Result<std::shared_ptr<FirehoseClient>> FirehoseClient::create(const std::shared_ptr<Session>& session) {
  auto service = session->impl().service_client(aws::kFirehoseService);
  if (!service) return service.error();
  return std::make_shared<FirehoseClient>(std::move(service).value());
}

FirehoseClient::FirehoseClient(std::shared_ptr<aws::ServiceClient> service) : service_(std::move(service)) {}
FirehoseClient::~FirehoseClient() = default;

const std::string& FirehoseClient::endpoint_url() const { return service_->endpoint().url; }

Result<std::string> FirehoseClient::call(std::string_view operation, std::string body, int* sends) const {
  return call_keeping_body(operation, body, sends, nullptr);
}

Result<std::string> FirehoseClient::call_keeping_body(std::string_view operation, std::string& body, int* sends,
                                                      const std::atomic<bool>* abort) const {
  auto request = aws::json_protocol::make_request(service_->endpoint().url, protocol::kJsonVersion,
                                                  protocol::kTargetPrefix, operation, std::move(body));
  request.abort = abort;
  auto response = service_->send(request);
  body = std::move(request.body);
  if (!response) return response.error();
  if (sends != nullptr) *sends = response->sends;
  return std::move(response->body);
}

Result<PutRecordResult> FirehoseClient::put_record(std::string_view stream_name, std::string_view data) const {
  if (auto valid = protocol::validate_stream_name(stream_name); !valid) return valid.error();
  if (data.size() > limits::kMaxRecordBytes) {
    return make_error(ErrorKind::Client, "RecordTooLarge",
                      fmt::format("record of {} bytes is over the 1,024,000-byte limit", data.size()));
  }
  auto body = call("PutRecord", protocol::put_record_body(stream_name, data));
  if (!body) return body.error();
  return protocol::parse_put_record_response(*body);
}

Result<PutRecordBatchResult> FirehoseClient::put_record_batch(std::string_view stream_name,
                                                              const std::vector<std::string_view>& records) const {
  if (auto valid = protocol::validate_stream_name(stream_name); !valid) return valid.error();
  if (records.empty() || records.size() > limits::kMaxBatchRecords) {
    return make_error(ErrorKind::Client, "InvalidBatch",
                      fmt::format("a batch holds 1 to 500 records (got {})", records.size()));
  }
  protocol::PutRecordBatchBody body(stream_name);
  for (std::string_view record : records) {
    if (record.size() > limits::kMaxRecordBytes) {
      return make_error(ErrorKind::Client, "RecordTooLarge",
                        fmt::format("record of {} bytes is over the 1,024,000-byte limit", record.size()));
    }
    body.add(record);
  }
  if (body.size() > limits::kMaxBatchRequestBytes) {
    return make_error(ErrorKind::Client, "InvalidBatch",
                      fmt::format("batch request of {} bytes is over the 4 MiB limit", body.size()));
  }
  std::string finished = body.finish();
  auto answer = put_record_batch_body(*this, finished, records.size());
  if (!answer) return answer.error();
  return protocol::to_result(*answer);
}

Result<PutRecordBatchAnswer> detail::FirehoseClientAccess::put_record_batch_body(const FirehoseClient& client,
                                                                                 std::string& body,
                                                                                 std::size_t record_count,
                                                                                 const std::atomic<bool>* abort,
                                                                                 protocol::RecordIdUse record_ids) {
  int sends = 1;
  auto text = client.call_keeping_body("PutRecordBatch", body, &sends, abort);
  if (!text) return text.error();
  auto answer = protocol::read_put_record_batch_answer(std::move(text).value(), record_count, record_ids);
  if (answer) {
    answer->resent = sends > 1;
    answer->sends = sends;
  }
  return answer;
}

Result<DeliveryStreamDescription> FirehoseClient::describe_delivery_stream(std::string_view stream_name) const {
  if (auto valid = protocol::validate_stream_name(stream_name); !valid) return valid.error();
  auto body = call("DescribeDeliveryStream", protocol::describe_delivery_stream_body(stream_name));
  if (!body) return body.error();
  return protocol::parse_describe_delivery_stream_response(*body);
}

Result<std::string> FirehoseClient::create_delivery_stream(const CreateDeliveryStreamRequest& request) const {
  auto request_body = protocol::create_delivery_stream_body(request);
  if (!request_body) return request_body.error();
  auto body = call("CreateDeliveryStream", std::move(request_body).value());
  if (!body) return body.error();
  return protocol::parse_create_delivery_stream_response(*body);
}

Status FirehoseClient::delete_delivery_stream(std::string_view stream_name, bool allow_force_delete) const {
  if (auto valid = protocol::validate_stream_name(stream_name); !valid) return valid.error();
  auto body = call("DeleteDeliveryStream", protocol::delete_delivery_stream_body(stream_name, allow_force_delete));
  if (!body) return body.error();
  return {};
}

Result<ListDeliveryStreamsResult> FirehoseClient::list_delivery_streams(std::optional<int> limit,
                                                                        std::string_view exclusive_start,
                                                                        std::string_view stream_type) const {
  auto body = call("ListDeliveryStreams", protocol::list_delivery_streams_body(limit, exclusive_start, stream_type));
  if (!body) return body.error();
  return protocol::parse_list_delivery_streams_response(*body);
}

Result<std::vector<std::string>> FirehoseClient::list_all_delivery_streams(std::string_view stream_type) const {
  std::vector<std::string> names;
  std::string start;
  for (;;) {
    auto page = list_delivery_streams(std::nullopt, start, stream_type);
    if (!page) return page.error();
    names.insert(names.end(), page->delivery_stream_names.begin(), page->delivery_stream_names.end());
    // A page that says "more" but names nothing would loop forever: stop.
    if (!page->has_more || page->delivery_stream_names.empty()) break;
    start = page->delivery_stream_names.back();
  }
  return names;
}

}  // namespace firehose
