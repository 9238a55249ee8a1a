#pragma once
// The plain-text view of `firehose metrics` (off a terminal, --output text):
// a header line, then a table with one row per series and one column per
// period, for logs, grep and awk. Pure function from data to text.
//
//   delivery stream events: 2024-05-01T12:00:00Z to 2024-05-01T12:03:00Z, 3 periods of 60 s
//   metric                 total  peak  per period
//   IncomingBytes           1500  1000  500 1000 -
//   ...
#include <string>

#include "metrics_model.hpp"

namespace firehose::cli::metrics {

// Columns, separated by two spaces: the metric (left-aligned), total and peak
// (right-aligned), then the value of each period oldest first, separated by
// one space, '-' where there is no datapoint. Numbers as format_number
// without grouping. Rows, in order:
//   IncomingBytes, "IncomingBytes (MiB)", IncomingRecords, IncomingPutRequests,
//   ThrottledRecords: total = the sum, peak = the highest period;
//   "PutRecordBatch.Latency avg (ms)": total = the window's average over every
//   request, peak = the highest period average;
//   "PutRecordBatch.Latency max (ms)": total '-', peak = the highest maximum;
//   per limit (Bytes-, Records-, PutRequestsPerSecondLimit): the limit row
//   (total = the latest value, peak = the highest) and "<limit> use (%)"
//   (total '-', peak = the highest use: period sum / period length / limit).
// A total or peak with no datapoint is '-' (a sum of nothing is 0). Lines
// carry no trailing spaces; the text ends with a newline.
std::string render_table(const StreamMetrics& metrics);

}  // namespace firehose::cli::metrics
