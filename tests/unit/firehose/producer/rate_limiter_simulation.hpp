#pragma once
// A deterministic simulation of a producer sending through the rate limiter
// to a server that enforces a Firehose-like quota with token buckets, all on
// a simulated clock (no real time passes, nothing is timed).
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "firehose/producer/adaptive_rate_limiter.hpp"

namespace firehose::producer::simulation {

struct Config {
  RateLimiterOptions limiter;  // its clock is replaced by the simulation's
  int senders = 16;            // requests in flight at most
  std::size_t records_per_request = 500;
  std::size_t record_bytes = 1024;
  double quota_bytes_per_second = 5.0 * 1024 * 1024;
  double quota_requests_per_second = 2000;
  double quota_records_per_second = 500'000;
  double server_burst_seconds = 1.0;      // each server bucket holds this many seconds of its quota
  std::chrono::milliseconds rtt_min{40};  // round trip: min + uniform(0, jitter)
  std::chrono::milliseconds rtt_jitter{40};
  std::chrono::milliseconds retry_base{100};  // full-jitter backoff of throttled records
  std::chrono::milliseconds retry_cap{10'000};
  double run_seconds = 60;
  double steady_from_seconds = 10;  // the steady window excludes the start-up
  double startup_seconds = 5;       // the start-up window: [0, startup_seconds)
  // Records the server refuses with "Slow down." whatever the rate (a fault,
  // not the quota), after the quota admitted them.
  double fault_share = 0;
  // Requests the server refuses whole (a 503) whatever the rate, before
  // taking any token.
  double request_fault_share = 0;
  std::uint64_t seed = 42;
  double trace_until_seconds = 0;  // prints each response before this time (for tuning)
};

struct Window {
  double quota_fraction = 0;  // accepted / quota, in the binding dimension
  double accepted_records_per_second = 0;
  double throttled_fraction = 0;  // throttled record sends / record sends
  std::uint64_t record_sends = 0;
  std::uint64_t throttled_record_sends = 0;
};

struct Result {
  Window whole;         // [0, run_seconds)
  Window steady;        // [steady_from_seconds, run_seconds)
  Window startup;       // [0, startup_seconds)
  Window first_second;  // [0, 1)
  std::uint64_t decreases = 0;
  double fault_share = 0;  // as the limiter measured it at the end
  double final_bytes_limit = 0;
};

Result run(const Config& config);

}  // namespace firehose::producer::simulation
