#include "firehose_metrics.hpp"

namespace firehose::local {
namespace {
constexpr const char* kNamespace = "AWS/Firehose";
constexpr const char* kBytes = "Bytes";
constexpr const char* kCount = "Count";
constexpr const char* kMilliseconds = "Milliseconds";
constexpr const char* kSeconds = "Seconds";
}  // namespace

void FirehoseMetrics::record(const std::string& stream, const char* name, double value, const char* unit,
                             time_point when) {
  store_.record(MetricKey{kNamespace, name, Dimensions{{"DeliveryStreamName", stream}}}, value, unit, when);
}

void FirehoseMetrics::put_record(const std::string& stream, std::uint64_t bytes, bool ingested,
                                 std::chrono::milliseconds latency, time_point now) {
  record(stream, "PutRecord.Requests", 1, kCount, now);
  record(stream, "PutRecord.Latency", static_cast<double>(latency.count()), kMilliseconds, now);
  if (!ingested) return;
  record(stream, "PutRecord.Bytes", static_cast<double>(bytes), kBytes, now);
  record(stream, "IncomingPutRequests", 1, kCount, now);
  record(stream, "IncomingRecords", 1, kCount, now);
  record(stream, "IncomingBytes", static_cast<double>(bytes), kBytes, now);
}

void FirehoseMetrics::put_record_batch(const std::string& stream, std::uint64_t records, std::uint64_t bytes,
                                       std::chrono::milliseconds latency, time_point now) {
  record(stream, "PutRecordBatch.Requests", 1, kCount, now);
  record(stream, "PutRecordBatch.Latency", static_cast<double>(latency.count()), kMilliseconds, now);
  record(stream, "PutRecordBatch.Records", static_cast<double>(records), kCount, now);
  record(stream, "PutRecordBatch.Bytes", static_cast<double>(bytes), kBytes, now);
  if (records == 0) return;
  record(stream, "IncomingPutRequests", 1, kCount, now);
  record(stream, "IncomingRecords", static_cast<double>(records), kCount, now);
  record(stream, "IncomingBytes", static_cast<double>(bytes), kBytes, now);
}

void FirehoseMetrics::throttled(const std::string& stream, std::uint64_t records, time_point now) {
  if (records > 0) record(stream, "ThrottledRecords", static_cast<double>(records), kCount, now);
}

void FirehoseMetrics::limits(const std::string& stream, const QuotaSettings& quotas, time_point now) {
  const std::int64_t minute = std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count();
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = limits_minute_.emplace(stream, minute);
    if (!inserted) {
      if (it->second == minute) return;
      it->second = minute;
    }
  }
  record(stream, "BytesPerSecondLimit", static_cast<double>(quotas.bytes), kBytes, now);
  record(stream, "RecordsPerSecondLimit", static_cast<double>(quotas.records), kCount, now);
  record(stream, "PutRequestsPerSecondLimit", static_cast<double>(quotas.requests), kCount, now);
}

void FirehoseMetrics::delivered(const DeliveredObject& object, time_point now) {
  record(object.stream_name, "DeliveryToS3.Records", static_cast<double>(object.records), kCount, now);
  record(object.stream_name, "DeliveryToS3.Bytes", static_cast<double>(object.bytes), kBytes, now);
  record(object.stream_name, "DeliveryToS3.Success", 1, kCount, now);
  if (object.oldest_record.time_since_epoch().count() != 0 && object.oldest_record <= now) {
    const double age = std::chrono::duration<double>(now - object.oldest_record).count();
    record(object.stream_name, "DeliveryToS3.DataFreshness", age, kSeconds, now);
  }
}

}  // namespace firehose::local
