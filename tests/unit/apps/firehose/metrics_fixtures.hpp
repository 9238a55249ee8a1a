#pragma once
// Shared data of the `firehose metrics` rendering tests.
#include <chrono>

#include "metrics_model.hpp"

namespace firehose::cli::metrics::testing {

// 2024-05-01T12:00:00Z plus `minutes`.
inline TimePoint at(int minutes, int seconds = 0) {
  using namespace std::chrono;
  return sys_days{year{2024} / May / 1} + hours(12) + std::chrono::minutes(minutes) + std::chrono::seconds(seconds);
}

inline Window minutes_from_noon(std::size_t count) {
  Window window;
  window.start = at(0);
  window.period = std::chrono::seconds(60);
  window.count = count;
  return window;
}

// Every series present and without a datapoint.
inline StreamMetrics no_data(std::size_t count) {
  StreamMetrics m;
  m.stream = "events";
  m.window = minutes_from_noon(count);
  for (Series* s :
       {&m.incoming_bytes, &m.incoming_records, &m.incoming_put_requests, &m.throttled_records, &m.latency_average,
        &m.latency_maximum, &m.latency_samples, &m.bytes_limit, &m.records_limit, &m.requests_limit}) {
    s->assign(count, std::nullopt);
  }
  return m;
}

}  // namespace firehose::cli::metrics::testing
