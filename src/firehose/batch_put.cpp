#include "firehose/batch_put.hpp"

#include <thread>

#include <fmt/format.h>

#include "aws/retry.hpp"
#include "core/log.hpp"
#include "firehose/answer_judge.hpp"
#include "firehose/batch_body_call.hpp"
#include "firehose/limits.hpp"
#include "protocol/firehose.hpp"

namespace firehose {

std::vector<std::vector<std::size_t>> plan_batches(std::string_view stream_name,
                                                   const std::vector<std::size_t>& indices,
                                                   const std::vector<std::string>& records) {
  std::vector<std::vector<std::size_t>> batches;
  std::vector<std::size_t> current;
  protocol::PutRecordBatchSize size(stream_name.size());
  for (std::size_t index : indices) {
    const std::size_t raw = records[index].size();
    if (!current.empty() &&
        (current.size() == limits::kMaxBatchRecords || size.size_with(raw) > limits::kMaxBatchRequestBytes)) {
      batches.push_back(std::move(current));
      current.clear();
      size = protocol::PutRecordBatchSize(stream_name.size());
    }
    current.push_back(index);
    size.add(raw);
  }
  if (!current.empty()) batches.push_back(std::move(current));
  return batches;
}

Result<BatchPutReport> put_records_in_batches(const FirehoseClient& client, std::string_view stream_name,
                                              const std::vector<std::string>& records, const RetryPolicy& retry,
                                              const SleepFunction& sleep) {
  if (auto valid = protocol::validate_stream_name(stream_name); !valid) return valid.error();
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].size() > limits::kMaxRecordBytes) {
      return make_error(ErrorKind::Client, "RecordTooLarge",
                        fmt::format("record {} has {} bytes, over the 1,024,000-byte limit", i + 1, records[i].size()));
    }
  }
  BatchPutReport report;
  report.result.responses.resize(records.size());
  std::vector<std::size_t> pending(records.size());
  for (std::size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  std::vector<Error> last_error(records.size());
  std::optional<Error> whole_call_error;       // the last error that failed a whole call
  std::vector<bool> in_doubt(records.size());  // a send's outcome was unknown (counted once)
  bool fatal = false;
  bool any_acknowledged = false;
  const auto random = aws::make_uniform_random();

  for (int attempt = 1; !pending.empty() && attempt <= retry.max_attempts; ++attempt) {
    if (attempt > 1) {
      const auto delay = aws::retry_delay(retry, attempt - 1, random);
      logging::warn("PutRecordBatch: attempt {}/{} for {} failed record(s) (last error {}); retrying in {:.3f} s",
                    attempt, retry.max_attempts, pending.size(), last_error[pending.front()].code,
                    static_cast<double>(delay.count()) / 1000.0);
      if (sleep) {
        sleep(delay);
      } else {
        std::this_thread::sleep_for(delay);
      }
      report.retried_records += static_cast<int>(pending.size());
    }
    std::vector<std::size_t> still_pending;
    for (const auto& batch : plan_batches(stream_name, pending, records)) {
      protocol::PutRecordBatchBody body(stream_name);
      for (std::size_t index : batch) body.add(records[index]);
      ++report.calls;
      std::string finished = body.finish();
      auto answer = put_record_batch_body(client, finished, batch.size());
      if (!answer) {
        // The one judge (answer_judge.hpp) decides, as for the producer.
        const RecordVerdict verdict = judge_call_error(answer.error());
        whole_call_error = verdict.error;
        for (std::size_t index : batch) {
          last_error[index] = verdict.error;
          if (verdict.outcome_unknown && !in_doubt[index]) {
            in_doubt[index] = true;
            ++report.possible_duplicates;
          }
          if (verdict.verdict == Verdict::kRetry) still_pending.push_back(index);
        }
        if (verdict.verdict == Verdict::kFatal) {
          fatal = true;
          break;
        }
        continue;
      }
      if (answer->encrypted) report.result.encrypted = true;
      for (std::size_t k = 0; k < batch.size(); ++k) {
        const std::size_t index = batch[k];
        if (answer->resent && !in_doubt[index]) {
          in_doubt[index] = true;
          ++report.possible_duplicates;
        }
        const auto& entry = answer->responses[k];
        RecordVerdict verdict = judge_entry(entry);
        if (verdict.verdict == Verdict::kAcknowledged) {
          any_acknowledged = true;
          report.result.responses[index] = {std::string(entry.record_id), {}, {}};
          continue;
        }
        last_error[index] = std::move(verdict.error);
        if (verdict.verdict == Verdict::kRetry) still_pending.push_back(index);
      }
    }
    if (fatal) {
      // Every record not acknowledged yet fails with the error that stopped the stream.
      for (std::size_t i = 0; i < records.size(); ++i) {
        if (report.result.responses[i].record_id.empty()) last_error[i] = *whole_call_error;
      }
      pending.clear();
      break;
    }
    pending = std::move(still_pending);
  }
  // Whatever is left failed for good: report each record's last error.
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto& entry = report.result.responses[i];
    if (entry.record_id.empty()) {
      entry.error_code = last_error[i].code;
      entry.error_message = last_error[i].message;
      ++report.result.failed_put_count;
    }
  }
  if (!any_acknowledged && whole_call_error && report.result.failed_put_count == static_cast<int>(records.size())) {
    return *whole_call_error;  // e.g. ResourceNotFoundException: one clear error, not N failed records
  }
  return report;
}

}  // namespace firehose
