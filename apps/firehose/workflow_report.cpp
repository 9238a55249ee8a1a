#include "workflow_report.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "firehose/retry.hpp"
#include "logging.hpp"

namespace firehose::cli {
namespace {

// Divided, not multiplied, by the step's inverse: round(202) * 0.1 prints as
// 20.200000000000003, 202 / 10.0 as 20.2 (the nearest double to it).
double round_to(double value, double step) { return std::round(value / step) / (1.0 / step); }

}  // namespace

void log_configuration(const WorkflowConfiguration& c) {
  const ProducerOptions& batch = *c.batch;
  nlohmann::ordered_json fields = {
      {"stream", c.stream},
      {"region", c.region},
      {"endpoint", c.endpoint},
      {"cloudwatch_endpoint", c.cloudwatch_endpoint},
      {"input", c.input},
      {"single_records", c.single_records},
      {"max_batch_records", batch.max_batch_records},
      {"max_batch_bytes", batch.max_batch_bytes},
      {"max_in_flight", batch.max_in_flight},
      {"linger_ms", batch.linger.count()},
      {"put_record_max_attempts", c.single_max_attempts},
      {"put_record_batch_max_attempts", batch.retry.max_attempts},
      {"dead_letter", batch.dead_letter_path},
      {"metrics_wait_s", c.metrics_wait.count()},
      {"logs", c.logs},
      {"config_file", c.config_file},
  };
  log_event(
      spdlog::level::info, event::kConfig, fields,
      fmt::format("Configuration: stream {} in {} at {} (CloudWatch {}); input: {}; first {} records with "
                  "PutRecord (up to {} attempts), the rest with PutRecordBatch (at most {} records and {} bytes "
                  "a call, {} in flight, linger {} ms, up to {} attempts a record); dead letters: {}; metrics "
                  "wait {} s; logs: {}; config file: {}",
                  c.stream, c.region, c.endpoint, c.cloudwatch_endpoint, c.input, c.single_records,
                  c.single_max_attempts, batch.max_batch_records, batch.max_batch_bytes, batch.max_in_flight,
                  batch.linger.count(), batch.retry.max_attempts,
                  batch.dead_letter_path.empty() ? "none" : batch.dead_letter_path, c.metrics_wait.count(), c.logs,
                  c.config_file.empty() ? "none" : c.config_file));
}

void report_batch(const std::string& stream, const BatchReport& report, BatchTally& tally) {
  tally.requests.fetch_add(1, std::memory_order_relaxed);
  const double latency_ms = std::chrono::duration<double, std::milli>(report.latency).count();
  std::size_t throttled = 0;
  if (report.call_error) {
    // No answer (a connection refused, a 500, a whole request throttled):
    // no FailedPutCount either, which is a field of an answer.
    const Error& error = *report.call_error;
    tally.failed_calls.fetch_add(1, std::memory_order_relaxed);
    if (is_throttling_error_code(error.code)) throttled = report.records;
    log_event(spdlog::level::warn, event::kBatchPut,
              {{"stream", stream},
               {"records", report.records},
               {"bytes", report.bytes},
               {"error_code", error.code},
               {"attempt", report.attempt},
               {"latency_ms", round_to(latency_ms, 0.1)}},
              fmt::format("PutRecordBatch: {} records, {} bytes, no answer: {} (attempt {}, {:.1f} ms)", report.records,
                          report.bytes, error.to_string(), report.attempt, latency_ms));
  } else {
    tally.failed_put_count.fetch_add(report.failed_put_count, std::memory_order_relaxed);
    nlohmann::ordered_json codes = nlohmann::ordered_json::object();
    std::vector<std::string> code_texts;
    for (const auto& [code, count] : report.error_codes) {
      codes[code] = count;
      code_texts.push_back(fmt::format("{} x{}", code, count));
      if (is_throttling_error_code(code)) throttled += count;
    }
    log_event(report.failed_put_count > 0 ? spdlog::level::warn : spdlog::level::info, event::kBatchPut,
              {{"stream", stream},
               {"records", report.records},
               {"bytes", report.bytes},
               {"failed_put_count", report.failed_put_count},
               {"error_codes", codes},
               {"attempt", report.attempt},
               {"latency_ms", round_to(latency_ms, 0.1)}},
              fmt::format("PutRecordBatch: {} records, {} bytes, FailedPutCount {}{}{} (attempt {}, {:.1f} ms)",
                          report.records, report.bytes, report.failed_put_count, code_texts.empty() ? "" : ": ",
                          fmt::join(code_texts, ", "), report.attempt, latency_ms));
  }
  if (throttled > 0) {
    tally.throttled_records.fetch_add(throttled, std::memory_order_relaxed);
    log_event(
        spdlog::level::warn, event::kThrottled,
        {{"stream", stream}, {"operation", "PutRecordBatch"}, {"records", throttled}, {"attempt", report.attempt}},
        fmt::format("PutRecordBatch: {} records throttled (the producer slows down and retries them)", throttled));
  }
}

void observe_batches(ProducerOptions& options, BatchTally& tally) {
  options.on_batch = [stream = options.delivery_stream_name, &tally](const BatchReport& report) {
    report_batch(stream, report, tally);
    if (report.call_error) {
      std::lock_guard lock(tally.last_call_error_mutex);
      tally.last_call_error = report.call_error;
    }
  };
}

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  return samples[std::min(samples.size() - 1, rank == 0 ? 0 : rank - 1)];
}

nlohmann::ordered_json workflow_summary(const WorkflowSummaryInput& in) {
  const SingleRecordStats& single = *in.single;
  nlohmann::ordered_json put_record = {
      {"records", single.records},
      {"requests", single.requests},
      {"acknowledged", single.acknowledged},
      {"retries", single.retries},
      {"throttled", single.throttled},
      {"failed", single.failed},
      {"latency_p50_ms", round_to(percentile(single.latency_ms, 50), 0.1)},
      {"latency_p99_ms", round_to(percentile(single.latency_ms, 99), 0.1)},
  };
  ProducerMetrics batch = in.batch != nullptr ? *in.batch : ProducerMetrics{};
  const std::uint64_t batch_records = batch.records_in + in.batch_records_refused;
  const std::uint64_t batch_failed = batch.records_failed + in.batch_records_refused;
  nlohmann::ordered_json put_record_batch = {
      {"records", batch_records},
      {"requests", batch.requests_ok + batch.requests_partial + batch.requests_failed},
      {"acknowledged", batch.records_acknowledged},
      {"retries", batch.records_retried},
      {"throttled", batch.records_throttled},
      {"failed", batch_failed},
      {"failed_put_count_total", in.tally->failed_put_count.load()},
      {"failed_calls", in.tally->failed_calls.load()},
      {"latency_p50_ms", round_to(batch.request_latency.p50_ms, 0.1)},
      {"latency_p99_ms", round_to(batch.request_latency.p99_ms, 0.1)},
  };
  const std::uint64_t records = single.records + batch_records;
  const std::uint64_t acknowledged = single.acknowledged + batch.records_acknowledged;
  const double seconds = in.wall.count();
  return {
      {"stream", in.stream},
      {"records", records},
      {"acknowledged", acknowledged},
      {"failed", single.failed + batch_failed},
      {"dead_lettered", single.dead_lettered + batch.records_dead_lettered},
      {"retries", single.retries + batch.records_retried},
      {"throttled", single.throttled + batch.records_throttled},
      {"possible_duplicates", single.possible_duplicates + batch.possible_duplicates},
      {"bytes", single.bytes_acknowledged + batch.bytes_acknowledged},
      {"seconds", round_to(seconds, 0.001)},
      {"put_record", put_record},
      {"put_record_batch", put_record_batch},
      {"metrics_after_put_record", to_json(*in.metrics_after_single)},
      {"metrics_after_put_record_batch", to_json(*in.metrics_after_batch)},
  };
}

std::string summary_text(const nlohmann::ordered_json& s) {
  const auto& single = s["put_record"];
  const auto& batch = s["put_record_batch"];
  return fmt::format(
      "Summary: {} records to {}: {} acknowledged, {} failed ({} dead-lettered), {} retries, {} throttled, {} possible "
      "duplicates, {} bytes in {:.3f} s. PutRecord: {} records, {} acknowledged, latency p50 {} ms p99 {} ms. "
      "PutRecordBatch: {} records in {} requests, {} acknowledged, FailedPutCount total {}, {} calls without an "
      "answer, latency p50 {} ms p99 {} ms.",
      s["records"].get<std::uint64_t>(), s["stream"].get<std::string>(), s["acknowledged"].get<std::uint64_t>(),
      s["failed"].get<std::uint64_t>(), s["dead_lettered"].get<std::uint64_t>(), s["retries"].get<std::uint64_t>(),
      s["throttled"].get<std::uint64_t>(), s["possible_duplicates"].get<std::uint64_t>(),
      s["bytes"].get<std::uint64_t>(), s["seconds"].get<double>(), single["records"].get<std::uint64_t>(),
      single["acknowledged"].get<std::uint64_t>(), single["latency_p50_ms"].get<double>(),
      single["latency_p99_ms"].get<double>(), batch["records"].get<std::uint64_t>(),
      batch["requests"].get<std::uint64_t>(), batch["acknowledged"].get<std::uint64_t>(),
      batch["failed_put_count_total"].get<std::uint64_t>(), batch["failed_calls"].get<std::uint64_t>(),
      batch["latency_p50_ms"].get<double>(),
      batch["latency_p99_ms"].get<double>());
}

}  // namespace firehose::cli
