#include "firehose/producer/retrier.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace firehose::producer {

Retrier::Retrier(RetryPolicy policy, aws::UniformRandom random) : policy_(policy), random_(std::move(random)) {}

bool Retrier::is_fatal(const Error& error) {
  return !aws::should_retry(error);
}

bool Retrier::outcome_unknown(const Error& error) {
  if (error.kind != ErrorKind::Transport) return false;
  switch (error.transport) {
    case TransportFailure::Reset:
    case TransportFailure::Other:
      return true;
    case TransportFailure::Timeout:
      return error.code != "ConnectTimeout";  // the server never saw a request that could not connect
    default:
      return false;  // DNS, refused, TLS: nothing reached the service
  }
}

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

Judgement Retrier::judge(Batch batch, const Result<PutRecordBatchAnswer>& answer, SteadyTime now) const {
  Judgement judgement;
  if (!answer) {
    const Error& error = answer.error();
    judgement.whole_call_failed = true;
    if (error.kind == ErrorKind::Throttle) judgement.throttled = batch.size();
    if (is_fatal(error)) {
      judgement.fatal = error;
      for (auto& record : batch) {
        record->last_error = error;
        judgement.failed.push_back(std::move(record));
      }
      return judgement;
    }
    const bool unknown = outcome_unknown(error);
    for (auto& record : batch) {
      record->last_error = error;
      if (unknown) {
        record->possible_duplicate = true;
        ++judgement.possible_duplicates;
      }
      retry_or_fail(std::move(record), judgement, now);
    }
  } else {
    const auto& responses = answer->responses;
    if (answer->resent) {
      // An earlier send of this very call may have been stored: every record is a possible duplicate.
      for (auto& record : batch) record->possible_duplicate = true;
      judgement.possible_duplicates += batch.size();
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& record = batch[i];
      const auto& entry = responses[i];
      if (entry.ok()) {
        judgement.acknowledged.emplace_back(std::move(record), entry.record_id);
        continue;
      }
      Error error = make_error(aws::classify_error_code(entry.error_code, 200), std::string(entry.error_code),
                               std::string(entry.error_message));
      if (error.kind == ErrorKind::Throttle) ++judgement.throttled;
      const bool retryable = aws::should_retry(error);
      record->last_error = std::move(error);
      if (retryable) {
        retry_or_fail(std::move(record), judgement, now);
      } else {
        judgement.failed.push_back(std::move(record));
      }
    }
  }
  if (!judgement.retry.empty()) {
    // One delay for the group, so the records go back in the order they were sent.
    int attempts = 0;
    for (const auto& record : judgement.retry) attempts = std::max(attempts, record->attempts);
    judgement.retry_at = now + aws::retry_delay(policy_, attempts, random_);
  }
  return judgement;
}

}  // namespace firehose::producer
