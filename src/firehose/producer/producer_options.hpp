#pragma once
// The producer's options as Producer::create() checks them: each bound is
// the service's (500 records and 4 MiB a call, a record of 1,024,000 bytes)
// or one that keeps the producer sane (1 to 256 senders, a TTL of at most a
// year). A refusal is one InvalidOption error naming the option.
#include "firehose/producer.hpp"
#include "firehose/producer/adaptive_rate_limiter.hpp"

namespace firehose::producer {

Status validate_producer_options(const ProducerOptions& options);

RateLimiterOptions limiter_options(const ProducerOptions& options);

}  // namespace firehose::producer
