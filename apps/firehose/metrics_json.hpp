#pragma once
// `firehose metrics --output json`: the document scripts read. Pure function.
//
// {"delivery_stream_name", "start", "end" (ISO-8601 UTC), "period_seconds",
//  "has_data" (a traffic metric has a datapoint),
//  "metrics": {
//    "IncomingBytes" | "IncomingRecords" | "IncomingPutRequests" | "ThrottledRecords":
//      {"statistic": "Sum", "unit", "timestamps": [start of each period with a
//       datapoint], "values": [...], "total" (0 without data), "peak" (the
//       highest period), "peak_per_second"; IncomingBytes also "total_mib"},
//    "PutRecordBatch.Latency": {"unit": "Milliseconds", "timestamps", "average":
//       [...], "maximum": [...] (null where that statistic has no datapoint),
//       "window_average" (over every request), "window_maximum"},
//    "BytesPerSecondLimit" | "RecordsPerSecondLimit" | "PutRequestsPerSecondLimit":
//      {"statistic": "Maximum", "unit" (per second), "timestamps", "values",
//       "limit" (the latest value), "rate_metric" (what it limits),
//       "peak_per_second", "use_percent" (the peak use), "use_timestamps",
//       "use_percent_values"}}}
// Figures without data are null. Whole numbers are written as integers.
#include <nlohmann/json.hpp>

#include "metrics_model.hpp"

namespace firehose::cli::metrics {

nlohmann::ordered_json to_json(const StreamMetrics& metrics);

}  // namespace firehose::cli::metrics
