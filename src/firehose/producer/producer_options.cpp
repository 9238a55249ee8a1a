#include "firehose/producer/producer_options.hpp"

#include "firehose/limits.hpp"
#include "firehose/producer/metrics_publisher.hpp"
#include "protocol/firehose.hpp"

namespace firehose::producer {

namespace {

Error invalid_option(std::string message) { return make_error(ErrorKind::Client, "InvalidOption", std::move(message)); }

}  // namespace

Status validate_producer_options(const ProducerOptions& options) {
  if (auto valid = protocol::validate_stream_name(options.delivery_stream_name); !valid) return valid.error();
  if (options.max_in_flight < 1 || options.max_in_flight > 256) return invalid_option("max_in_flight must be 1 to 256");
  if (options.max_batch_records < 1 || options.max_batch_records > limits::kMaxBatchRecords) {
    return invalid_option("max_batch_records must be 1 to 500");
  }
  if (options.max_batch_bytes > limits::kMaxBatchRequestBytes ||
      options.max_batch_bytes <
          protocol::PutRecordBatchSize(options.delivery_stream_name.size()).size_with(limits::kMaxRecordBytes)) {
    return invalid_option("max_batch_bytes must hold one maximum-size record and be <= 4 MiB");
  }
  if (options.retry.max_attempts < 1) return invalid_option("max_attempts must be at least 1");
  // Negative delays were taken as zero without a word; a linger beyond a day
  // (e.g. milliseconds::max() for "never") overflowed the time it is added to.
  if (options.retry.base_delay < std::chrono::milliseconds::zero() ||
      options.retry.max_backoff < std::chrono::milliseconds::zero()) {
    return invalid_option("retry.base_delay and retry.max_backoff must not be negative");
  }
  if (options.linger < std::chrono::milliseconds::zero() || options.linger > std::chrono::hours(24)) {
    return invalid_option("linger must be 0 to 24 hours");
  }
  if (options.memory_budget_bytes == 0) return invalid_option("memory_budget_bytes must be positive");
  if (options.pack_target_bytes > limits::kMaxRecordBytes) {
    return invalid_option("pack_target_bytes must be at most 1,024,000 (a Firehose record's limit), or 0 for no packing");
  }
  if (options.record_ttl <= std::chrono::milliseconds::zero() || options.record_ttl > std::chrono::hours(24 * 365)) {
    return invalid_option("record_ttl must be positive and at most a year");
  }
  return validate_metrics_options(options);
}

RateLimiterOptions limiter_options(const ProducerOptions& options) {
  RateLimiterOptions limiter;
  limiter.adaptive = options.adaptive_rate;
  return limiter;
}

}  // namespace firehose::producer
