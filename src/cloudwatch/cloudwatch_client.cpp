#include "firehose/cloudwatch_client.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "aws/json_protocol.hpp"
#include "aws/service_client.hpp"
#include "aws/session_impl.hpp"
#include "protocol/cloudwatch.hpp"
#include "protocol/cloudwatch_errors.hpp"
#include "protocol/cloudwatch_limits.hpp"
#include "protocol/cloudwatch_validation.hpp"

namespace firehose {
namespace {

// A rule broken before anything was sent: no HTTP status.
Error unsent(Error error) {
  error.http_status = 0;
  return error;
}

Error repeated_token(std::string_view operation) {
  return make_error(ErrorKind::Transient, "MalformedResponse",
                    fmt::format("{} returned the NextToken it was given: stopping instead of looping", operation));
}

}  // namespace

Result<std::shared_ptr<CloudWatchClient>> CloudWatchClient::create(const std::shared_ptr<Session>& session) {
  auto service = session->impl().service_client(aws::kCloudWatchService);
  if (!service) return service.error();
  return std::make_shared<CloudWatchClient>(std::move(service).value());
}

CloudWatchClient::CloudWatchClient(std::shared_ptr<aws::ServiceClient> service) : service_(std::move(service)) {}
CloudWatchClient::~CloudWatchClient() = default;

const std::string& CloudWatchClient::endpoint_url() const { return service_->endpoint().url; }

Result<std::string> CloudWatchClient::call(std::string_view operation, std::string body) const {
  auto request = aws::json_protocol::make_request(service_->endpoint().url, cloudwatch::kJsonVersion,
                                                  cloudwatch::kTargetPrefix, operation, std::move(body));
  // Like botocore: asks for query error codes (x-amzn-query-error), which
  // error_from_response prefers. Added before signing, so it is signed.
  request.set_header(std::string(cloudwatch::kQueryModeHeader), "true");
  auto response = service_->send(request);
  if (!response) return response.error();
  return std::move(response->body);
}

Status CloudWatchClient::put_metric_data(const cloudwatch::PutMetricDataRequest& request) const {
  if (auto valid = cloudwatch::validate_put_metric_data(request); !valid) return unsent(valid.error());
  std::string body = cloudwatch::put_metric_data_body(request);
  if (body.size() > cloudwatch::limits::kMaxPutPayloadBytes) {
    return unsent(cloudwatch::service_error(cloudwatch::kRequestEntityTooLarge,
                                            fmt::format("PutMetricData request of {} bytes is over the {}-byte limit",
                                                        body.size(), cloudwatch::limits::kMaxPutPayloadBytes)));
  }
  auto answer = call(cloudwatch::kPutMetricData, std::move(body));
  if (!answer) return answer.error();
  return {};
}

Result<cloudwatch::GetMetricStatisticsResult> CloudWatchClient::get_metric_statistics(
    const cloudwatch::GetMetricStatisticsRequest& request) const {
  if (auto valid = cloudwatch::validate_get_metric_statistics(request); !valid) return unsent(valid.error());
  auto answer = call(cloudwatch::kGetMetricStatistics, cloudwatch::get_metric_statistics_body(request));
  if (!answer) return answer.error();
  return cloudwatch::parse_get_metric_statistics_response(*answer);
}

Result<cloudwatch::GetMetricDataResult> CloudWatchClient::get_metric_data(
    const cloudwatch::GetMetricDataRequest& request) const {
  if (auto valid = cloudwatch::validate_get_metric_data(request); !valid) return unsent(valid.error());
  auto answer = call(cloudwatch::kGetMetricData, cloudwatch::get_metric_data_body(request));
  if (!answer) return answer.error();
  return cloudwatch::parse_get_metric_data_response(*answer);
}

Result<cloudwatch::GetMetricDataResult> CloudWatchClient::get_metric_data_all(
    cloudwatch::GetMetricDataRequest request) const {
  cloudwatch::GetMetricDataResult merged;
  for (;;) {
    auto page = get_metric_data(request);
    if (!page) return page.error();
    for (auto& result : page->results) {
      auto same_id = std::find_if(merged.results.begin(), merged.results.end(),
                                  [&](const cloudwatch::MetricDataResult& r) { return r.id == result.id; });
      if (same_id == merged.results.end()) {
        merged.results.push_back(std::move(result));
        continue;
      }
      same_id->timestamps.insert(same_id->timestamps.end(), result.timestamps.begin(), result.timestamps.end());
      same_id->values.insert(same_id->values.end(), result.values.begin(), result.values.end());
      same_id->messages.insert(same_id->messages.end(), result.messages.begin(), result.messages.end());
      same_id->status_code = result.status_code;
      if (same_id->label.empty()) same_id->label = result.label;
    }
    merged.messages.insert(merged.messages.end(), page->messages.begin(), page->messages.end());
    if (page->next_token.empty()) break;
    if (page->next_token == request.next_token) return repeated_token(cloudwatch::kGetMetricData);
    request.next_token = std::move(page->next_token);
  }
  return merged;
}

Result<cloudwatch::ListMetricsResult> CloudWatchClient::list_metrics(
    const cloudwatch::ListMetricsRequest& request) const {
  if (auto valid = cloudwatch::validate_list_metrics(request); !valid) return unsent(valid.error());
  auto answer = call(cloudwatch::kListMetrics, cloudwatch::list_metrics_body(request));
  if (!answer) return answer.error();
  return cloudwatch::parse_list_metrics_response(*answer);
}

Result<std::vector<cloudwatch::Metric>> CloudWatchClient::list_all_metrics(
    cloudwatch::ListMetricsRequest request) const {
  std::vector<cloudwatch::Metric> metrics;
  for (;;) {
    auto page = list_metrics(request);
    if (!page) return page.error();
    metrics.insert(metrics.end(), std::make_move_iterator(page->metrics.begin()),
                   std::make_move_iterator(page->metrics.end()));
    if (page->next_token.empty()) break;
    if (page->next_token == request.next_token) return repeated_token(cloudwatch::kListMetrics);
    request.next_token = std::move(page->next_token);
  }
  return metrics;
}

}  // namespace firehose
