#pragma once
// Retrying: judges the answer to one PutRecordBatch call record by record.
// Acknowledged records are done; records that failed for a reason worth
// retrying go back (all of them when the whole call failed) after a backoff
// with full jitter, unless they ran out of attempts or time; the rest fail
// for good. A whole-call error that would fail every record (stream not
// found, access denied, bad credentials, a refused request) is fatal: the
// producer stops instead of failing records one by one.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/retry.hpp"
#include "firehose/producer/pending_record.hpp"
#include "firehose/types.hpp"
#include "protocol/firehose.hpp"

namespace firehose::producer {

struct Judgement {
  // With their RecordId: a view into the judged answer, which must outlive it.
  std::vector<std::pair<PendingPtr, std::string_view>> acknowledged;
  Batch retry;  // in the order they were sent
  SteadyTime retry_at{};
  Batch failed;                         // for good; last_error says why
  std::optional<Error> fatal;           // set: stop the producer (the batch's records are in `failed`)
  std::size_t throttled = 0;            // records refused with a throttle ("Slow down.") or a throttled call
  std::size_t throttled_users = 0;      // the user records in them (lines: a packed record holds several)
  std::size_t possible_duplicates = 0;  // user records newly in doubt (a send's outcome unknown), each once
  bool whole_call_failed = false;
};

class Retrier {
 public:
  Retrier(RetryPolicy policy, aws::UniformRandom random);

  // The judgement's RecordIds are views into `answer`: it must outlive them.
  Judgement judge(Batch batch, const Result<PutRecordBatchAnswer>& answer, SteadyTime now) const;
  Judgement judge(Batch batch, Result<PutRecordBatchAnswer>&& answer, SteadyTime now) const = delete;

  // The wait before retrying records refused inside an answer: full jitter
  // from 50 ms, doubling, at most 250 ms (the rate limiter paces the stream;
  // this only keeps a record from coming straight back).
  static constexpr std::chrono::milliseconds kRecordRetryBase{50};
  static constexpr std::chrono::milliseconds kRecordRetryCap{250};

 private:
  static void mark_possible_duplicate(PendingRecord& record, Judgement& judgement);
  std::chrono::milliseconds retry_delay(int attempts, bool whole_call_failed) const;
  void retry_or_fail(PendingPtr record, Judgement& judgement, SteadyTime now) const;

  RetryPolicy policy_;
  aws::UniformRandom random_;
};

}  // namespace firehose::producer
