// Producer options for tests against a server on 127.0.0.1: few requests in
// flight, a short linger and millisecond backoffs, so that retries take no time.
#pragma once

#include <chrono>

#include "firehose/producer.hpp"

namespace firehose::testing {

inline ProducerOptions fast_producer_options(int max_attempts = 5) {
  using namespace std::chrono_literals;
  ProducerOptions options;
  options.delivery_stream_name = "s";
  options.max_in_flight = 4;
  options.linger = 5ms;
  options.retry.max_attempts = max_attempts;
  options.retry.base_delay = 1ms;
  options.retry.max_backoff = 5ms;
  return options;
}

}  // namespace firehose::testing
