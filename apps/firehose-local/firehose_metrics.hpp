#pragma once
// The AWS/Firehose metrics of a Direct PUT stream with an S3 destination,
// recorded into the MetricsStore (namespace AWS/Firehose, dimension
// DeliveryStreamName) with the units CloudWatch shows for them.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "delivery/delivery.hpp"
#include "metrics/metrics_store.hpp"
#include "settings.hpp"

namespace firehose::local {

class FirehoseMetrics {
 public:
  using time_point = std::chrono::system_clock::time_point;
  explicit FirehoseMetrics(MetricsStore& store) : store_(store) {}

  // A put call that reached its stream: `records` and `bytes` are what was
  // ingested (stored), `throttled` the records refused by a quota.
  void put_record(const std::string& stream, std::uint64_t bytes, bool ingested, std::chrono::milliseconds latency,
                  time_point now);
  void put_record_batch(const std::string& stream, std::uint64_t records, std::uint64_t bytes,
                        std::chrono::milliseconds latency, time_point now);
  void throttled(const std::string& stream, std::uint64_t records, time_point now);
  // BytesPerSecondLimit, RecordsPerSecondLimit, PutRequestsPerSecondLimit:
  // once per minute per stream that is used (CloudWatch shows them as such).
  void limits(const std::string& stream, const QuotaSettings& quotas, time_point now);
  // DeliveryToS3.{Records, Bytes, Success, DataFreshness} for one object written.
  void delivered(const DeliveredObject& object, time_point now);

 private:
  void record(const std::string& stream, const char* name, double value, const char* unit, time_point when);

  MetricsStore& store_;
  std::mutex mutex_;
  std::map<std::string, std::int64_t> limits_minute_;  // stream -> last minute the limits were recorded
};

}  // namespace firehose::local
