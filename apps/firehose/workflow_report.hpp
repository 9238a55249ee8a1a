#pragma once
// What the workflow tells about its PutRecordBatch step and its end: each
// batch's answer logged (FailedPutCount, error codes) and tallied, and the
// summary of the run (records by API, acknowledged, retried, throttled,
// failed / dead-lettered, possible duplicates, bytes, wall time, latency
// percentiles, FailedPutCount totals taken from the answers).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "firehose/producer.hpp"
#include "firehose/producer_metrics.hpp"
#include "workflow_metrics.hpp"
#include "workflow_single.hpp"

namespace firehose::cli {

// Totals of the PutRecordBatch answers, updated from the producer's sender threads.
struct BatchTally {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> failed_put_count{0};   // sum of the answers' FailedPutCount
  std::atomic<std::uint64_t> failed_calls{0};       // calls that got no answer (refused, reset, 5xx, throttled whole)
  std::atomic<std::uint64_t> throttled_records{0};  // records answered with a throttling code
  std::mutex last_call_error_mutex;
  std::optional<Error> last_call_error;  // the last whole call that failed: why
};

// Step 1: what the run will do, logged once (event "config") before anything is sent.
struct WorkflowConfiguration {
  std::string stream, region, endpoint, cloudwatch_endpoint, input;
  std::uint64_t single_records = 0;
  int single_max_attempts = 0;          // PutRecord's attempts a record
  const ProducerOptions* batch = nullptr;  // the PutRecordBatch step's
  std::chrono::seconds metrics_wait{0};
  std::string logs;         // where logs go and in what form
  std::string config_file;  // empty: none
};
void log_configuration(const WorkflowConfiguration& configuration);

// Logs one call (`batch_put`: its answer's FailedPutCount and error codes,
// or why it got no answer; `throttled` when records were throttled) and adds it to `tally`.
void report_batch(const std::string& stream, const BatchReport& report, BatchTally& tally);

// Sets options.on_batch to report_batch (the producer's per-answer hook).
void observe_batches(ProducerOptions& options, BatchTally& tally);

struct WorkflowSummaryInput {
  std::string stream;
  const SingleRecordStats* single = nullptr;
  const ProducerMetrics* batch = nullptr;   // nullptr when the PutRecordBatch step did not run
  std::uint64_t batch_records_refused = 0;  // lines the producer refused (too large, empty)
  const BatchTally* tally = nullptr;
  const MetricsReading* metrics_after_single = nullptr;
  const MetricsReading* metrics_after_batch = nullptr;
  std::chrono::duration<double> wall{0};
};

// The summary document (also the last line of stdout).
nlohmann::ordered_json workflow_summary(const WorkflowSummaryInput& input);
// Its one-paragraph text form for the log.
std::string summary_text(const nlohmann::ordered_json& summary);

// The p-th percentile (0..100) of `samples` (nearest rank); 0 when empty.
double percentile(std::vector<double> samples, double p);

}  // namespace firehose::cli
