#pragma once
// Typed client for the CloudWatch metric operations (AWS JSON 1.0 in
// query-compatible mode, as botocore sends them). Each method is one attempt;
// retries belong to the caller. Requests are checked against CloudWatch's
// parameter rules before they are sent, so a request the service would refuse
// fails here with the code the service would answer (InvalidParameterValue,
// MissingParameter, InvalidParameterCombination, ValidationError) and
// http_status 0.
#include <memory>
#include <string>
#include <vector>

#include "firehose/cloudwatch_types.hpp"
#include "firehose/result.hpp"
#include "firehose/session.hpp"

namespace firehose {

namespace aws {
class ServiceClient;
}

class CloudWatchClient {
 public:
  // Resolves the monitoring endpoint from the session (SessionOptions,
  // environment, config, rules) and shares the session's transport and credentials.
  static Result<std::shared_ptr<CloudWatchClient>> create(const std::shared_ptr<Session>& session);
  // Internal: clients are made with create().
  explicit CloudWatchClient(std::shared_ptr<aws::ServiceClient> service);
  ~CloudWatchClient();

  // 1..1000 entries, body at most 1 MiB (else RequestEntityTooLarge), 30
  // dimensions per metric, one of Value / StatisticValues / Values per entry.
  Status put_metric_data(const cloudwatch::PutMetricDataRequest& request) const;

  // One metric's statistics over [start_time, end_time), one datapoint per period with data.
  Result<cloudwatch::GetMetricStatisticsResult> get_metric_statistics(
      const cloudwatch::GetMetricStatisticsRequest& request) const;

  // GetMetricData: one page.
  Result<cloudwatch::GetMetricDataResult> get_metric_data(const cloudwatch::GetMetricDataRequest& request) const;
  // Every page from request.next_token on, following NextToken; the pages'
  // results are merged by Id (timestamps and values appended in page order,
  // the last page's StatusCode), next_token is empty.
  Result<cloudwatch::GetMetricDataResult> get_metric_data_all(cloudwatch::GetMetricDataRequest request) const;

  // ListMetrics: one page (up to 500 metrics).
  Result<cloudwatch::ListMetricsResult> list_metrics(const cloudwatch::ListMetricsRequest& request = {}) const;
  // Every page from request.next_token on.
  Result<std::vector<cloudwatch::Metric>> list_all_metrics(cloudwatch::ListMetricsRequest request = {}) const;

  // The endpoint the client sends to, e.g. "https://monitoring.eu-west-1.amazonaws.com".
  const std::string& endpoint_url() const;

 private:
  Result<std::string> call(std::string_view operation, std::string body) const;
  std::shared_ptr<aws::ServiceClient> service_;
};

}  // namespace firehose
