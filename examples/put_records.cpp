// Put records into a Firehose delivery stream, then read its metrics back:
// PutRecord one at a time with the SDKs' retries, then the producer, which
// sends PutRecordBatch calls and retries only the records that failed, then
// IncomingRecords from CloudWatch. Usage: put_records STREAM [RECORDS]
// Region, credentials and endpoint come from the environment and ~/.aws as
// for the AWS CLI (AWS_ENDPOINT_URL points it at firehose-local).
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <firehose/cloudwatch_client.hpp>
#include <firehose/firehose_client.hpp>
#include <firehose/producer.hpp>
#include <firehose/retry.hpp>
#include <firehose/session.hpp>

namespace fh = firehose;

static int fail(const fh::Error& error) {
  std::fprintf(stderr, "error: %s\n", error.to_string().c_str());
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: put_records STREAM [RECORDS]\n"), 2;
  const std::string stream = argv[1];
  const int records = argc > 2 ? std::stoi(argv[2]) : 600;
  const auto started = std::chrono::system_clock::now();
  auto record = [](int i) { return "{\"n\":" + std::to_string(i) + ",\"sensor\":\"temp-1\"}\n"; };

  auto session = fh::Session::create();
  if (!session) return fail(session.error());
  auto client = fh::FirehoseClient::create(*session);
  if (!client) return fail(client.error());

  // 1. PutRecord, each call retried with the session's policy (throttles, 5xx, timeouts).
  for (int i = 0; i < 10; ++i) {
    auto put = fh::call_with_retries(**session, "PutRecord", [&] { return (*client)->put_record(stream, record(i)); });
    if (!put) return fail(put.error());
    std::printf("PutRecord %d: RecordId %s\n", i, put->record_id.c_str());
  }

  // 2. The producer: batches of up to 500 records, several calls in flight.
  fh::ProducerOptions options;
  options.delivery_stream_name = stream;
  auto producer = fh::Producer::create(*client, options);
  if (!producer) return fail(producer.error());
  std::vector<std::future<fh::RecordOutcome>> outcomes;
  for (int i = 10; i < records; ++i) outcomes.push_back((*producer)->put(record(i)));
  if (auto closed = (*producer)->close(std::chrono::seconds(60)); !closed) return fail(closed.error());
  int acknowledged = 0;
  for (auto& outcome : outcomes) acknowledged += outcome.get().acknowledged ? 1 : 0;
  std::printf("producer: %d of %zu records acknowledged\n", acknowledged, outcomes.size());

  // 3. What the stream counted (CloudWatch may take minutes on AWS; firehose-local at once).
  auto cloudwatch = fh::CloudWatchClient::create(*session);
  if (!cloudwatch) return fail(cloudwatch.error());
  fh::cloudwatch::GetMetricStatisticsRequest query;
  query.name_space = "AWS/Firehose";
  query.metric_name = "IncomingRecords";
  query.dimensions = {{"DeliveryStreamName", stream}};
  query.start_time = started - std::chrono::minutes(5);
  query.end_time = std::chrono::system_clock::now() + std::chrono::minutes(1);
  query.period = 3600;
  query.statistics = {"Sum"};
  auto stats = (*cloudwatch)->get_metric_statistics(query);
  if (!stats) return fail(stats.error());
  double incoming = 0;
  for (const auto& point : stats->datapoints) incoming += point.sum.value_or(0);
  std::printf("CloudWatch IncomingRecords: %.0f\n", incoming);
  return acknowledged == static_cast<int>(outcomes.size()) ? 0 : 1;
}
