#include "firehose/producer/retrier.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "firehose/answer_judge.hpp"
#include "firehose/timeout.hpp"

namespace firehose::producer {

Retrier::Retrier(RetryPolicy policy, aws::UniformRandom random) : policy_(policy), random_(std::move(random)) {}

void Retrier::retry_or_fail(PendingPtr record, Judgement& judgement, SteadyTime now) const {
  if (record->attempts >= policy_.max_attempts) {
    judgement.failed.push_back(std::move(record));
    return;
  }
  if (now >= record->deadline) {
    record->last_error.message += " (record time-to-live expired)";
    judgement.failed.push_back(std::move(record));
    return;
  }
  judgement.retry.push_back(std::move(record));
}

// snippet-start:[cpp.example_code.firehose.RetryFailedRecords]
Judgement Retrier::judge(Batch batch, const Result<PutRecordBatchAnswer>& answer, SteadyTime now) const {
  Judgement judgement;
  if (!answer) {
    const RecordVerdict verdict = judge_call_error(answer.error());
    judgement.whole_call_failed = true;
    if (verdict.throttled) {
      judgement.throttled = batch.size();
      for (const auto& record : batch) judgement.throttled_users += std::max<std::size_t>(1, record->users.size());
    }
    if (verdict.verdict == Verdict::kFatal) {
      judgement.fatal = verdict.error;
      for (auto& record : batch) {
        record->last_error = verdict.error;
        if (verdict.outcome_unknown) mark_possible_duplicate(*record, judgement);
        judgement.failed.push_back(std::move(record));
      }
      return judgement;
    }
    for (auto& record : batch) {
      record->last_error = verdict.error;
      ++record->calls_failed;
      if (verdict.outcome_unknown) mark_possible_duplicate(*record, judgement);
      retry_or_fail(std::move(record), judgement, now);
    }
  } else {
    const auto& responses = answer->responses;
    if (answer->resent) {
      // An earlier send of this very call may have been stored: every record is a possible duplicate.
      for (auto& record : batch) mark_possible_duplicate(*record, judgement);
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& record = batch[i];
      const auto& entry = responses[i];
      RecordVerdict verdict = judge_entry(entry);
      if (verdict.verdict == Verdict::kAcknowledged) {
        judgement.acknowledged.emplace_back(std::move(record), entry.record_id);
        continue;
      }
      if (verdict.throttled) {
        ++judgement.throttled;
        judgement.throttled_users += std::max<std::size_t>(1, record->users.size());
      }
      record->last_error = std::move(verdict.error);
      if (verdict.verdict == Verdict::kRetry) {
        retry_or_fail(std::move(record), judgement, now);
      } else {
        judgement.failed.push_back(std::move(record));
      }
    }
  }
  if (!judgement.retry.empty()) {
    // One delay for the group, so the records go back in the order they were sent.
    // After a whole call failed, the backoff grows with the failed calls the
    // records met, not with all their sends: a record refused three times
    // inside answers (the service up, the limiter pacing) and then caught by
    // one random 503 waited up to 8 s, its batch with it, and with a share of
    // records failing and 10 % of calls refused the budget filled with
    // sleeping batches and the producer stood still for seconds at a time.
    int attempts = 0;
    for (const auto& record : judgement.retry) {
      attempts = std::max(attempts, judgement.whole_call_failed ? record->calls_failed : record->attempts);
    }
    // Saturating: the whole-call delay follows the user's max_backoff, which may be milliseconds::max().
    judgement.retry_at = deadline_after(retry_delay(attempts, judgement.whole_call_failed), now);
  }
  return judgement;
}

void Retrier::mark_possible_duplicate(PendingRecord& record, Judgement& judgement) {
  // Counted once per user record, however many sends were in doubt.
  if (record.possible_duplicate) return;
  record.possible_duplicate = true;
  judgement.possible_duplicates += std::max<std::size_t>(1, record.users.size());
}

std::chrono::milliseconds Retrier::retry_delay(int attempts, bool whole_call_failed) const {
  if (whole_call_failed) return aws::retry_delay(policy_, attempts, random_);
  // Records refused inside an answer the service gave: it is up, and the
  // rate limiter paces the stream as a whole. A long per-record backoff only
  // left the pipe idle while a few unlucky records slept (60 % of records
  // failing took 70 s for 10,000 records); a short, bounded one keeps them moving.
  RetryPolicy per_record = policy_;
  per_record.base_delay = std::min(policy_.base_delay, kRecordRetryBase);
  per_record.max_backoff = std::min(policy_.max_backoff, kRecordRetryCap);
  return aws::retry_delay(per_record, attempts, random_);
}
// snippet-end:[cpp.example_code.firehose.RetryFailedRecords]

}  // namespace firehose::producer
