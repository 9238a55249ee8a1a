#pragma once
// The terminal view of `firehose metrics`: per metric one line with its
// figure for the window, a sparkline (one character per period) and a note,
// and under the sparklines a time axis. Pure functions from data to text.
//
//   events: 10 periods of 1m, 12:00 to 12:10 UTC
//
//   IncomingBytes              12,000 B  ▁▂▃█  ...  0.01 MiB, peak 100 B/s
//   ...
//                                        12:00     12:10
#include <chrono>
#include <cstddef>
#include <string>

#include "metrics_model.hpp"

namespace firehose::cli::metrics {

struct ChartOptions {
  std::chrono::seconds utc_offset{0};  // the clock of the time labels
  // Terminal columns; the sparklines show as many of the latest periods as
  // fit (at least 10). 0: every period.
  std::size_t width = 0;
};

// One character per period: ' ' no datapoint, '▁' zero (or less), and for a
// value above zero one of '▂' .. '█' by its share of the series' highest value
// in seven equal steps, rounded up (so the smallest positive value still
// shows as '▂' and the highest is '█').
std::string sparkline(const Series& values);

// As wide as the window has periods: the start of the first period on the
// left, the end of the last one right-aligned, when both fit with a space
// between them (else only the start). Labels are "HH:MM", with the date
// ("MM-DD HH:MM") when the window spans more than a day.
std::string time_axis(const Window& window, std::chrono::seconds utc_offset);

// The whole view, ending with a newline. Rows, in order: IncomingBytes,
// IncomingRecords, IncomingPutRequests, ThrottledRecords (sums; the
// sparkline of the sums), PutRecordBatch.Latency (window average and maximum;
// the sparkline of the period averages), BytesPerSecondLimit,
// RecordsPerSecondLimit, PutRequestsPerSecondLimit (the limit and the peak
// use; the sparkline of the use per period).
std::string render_chart(const StreamMetrics& metrics, const ChartOptions& options = {});

}  // namespace firehose::cli::metrics
