#include "firehose/producer/retrier.hpp"

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;
const SteadyTime kNow = SteadyTime{} + 1h;

Batch batch_of(int n, int attempts = 1) {
  Batch batch;
  for (int i = 0; i < n; ++i) {
    auto record = std::make_unique<PendingRecord>();
    record->data = std::to_string(i);
    record->attempts = attempts;
    record->deadline = kNow + 10min;
    batch.push_back(std::move(record));
  }
  return batch;
}

RetryPolicy policy(int attempts) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.base_delay = 100ms;
  p.max_backoff = 1s;
  return p;
}

Retrier retrier(int attempts = 5) {
  return Retrier(policy(attempts), [] { return 0.5; });
}

TEST(Retrier, PartialFailureRetriesOnlyTheFailedRecordsInOrder) {
  PutRecordBatchAnswer result;
  result.responses = {{"id0", "", ""},
                      {"", "ServiceUnavailableException", "Slow down."},
                      {"id2", "", ""},
                      {"", "InternalFailure", "oops"},
                      {"", "InvalidArgumentException", "bad record"}};
  const Result<PutRecordBatchAnswer> answer(std::move(result));  // outlives the judgement's RecordId views
  auto judgement = retrier().judge(batch_of(5), answer, kNow);
  ASSERT_EQ(judgement.acknowledged.size(), 2u);
  EXPECT_EQ(judgement.acknowledged[0].second, "id0");
  EXPECT_EQ(judgement.acknowledged[1].first->data, "2");
  ASSERT_EQ(judgement.retry.size(), 2u);
  EXPECT_EQ(judgement.retry[0]->data, "1");
  EXPECT_EQ(judgement.retry[1]->data, "3");
  EXPECT_EQ(judgement.retry[0]->last_error.code, "ServiceUnavailableException");
  ASSERT_EQ(judgement.failed.size(), 1u);
  EXPECT_EQ(judgement.failed[0]->last_error.code, "InvalidArgumentException");
  EXPECT_EQ(judgement.throttled, 1u);
  EXPECT_FALSE(judgement.fatal.has_value());
  // Records refused inside an answer: full jitter at 0.5 of min(50 ms * 2^0, 250 ms).
  EXPECT_EQ(judgement.retry_at, kNow + 25ms);
}

TEST(Retrier, WholeCallFailuresRetryEveryRecordAndCountUnknownOutcomes) {
  Error reset = make_error(ErrorKind::Transport, "ConnectionReset", "reset");
  reset.transport = TransportFailure::Reset;
  const Result<PutRecordBatchAnswer> reset_answer(reset);
  auto judgement = retrier().judge(batch_of(3), reset_answer, kNow);
  EXPECT_EQ(judgement.retry.size(), 3u);
  EXPECT_EQ(judgement.possible_duplicates, 3u);
  EXPECT_TRUE(judgement.retry[0]->possible_duplicate);

  Error refused = make_error(ErrorKind::Transport, "ConnectionRefused", "refused");
  refused.transport = TransportFailure::Refused;
  const Result<PutRecordBatchAnswer> refused_answer(refused);
  auto not_sent = retrier().judge(batch_of(2), refused_answer, kNow);
  EXPECT_EQ(not_sent.retry.size(), 2u);
  EXPECT_EQ(not_sent.possible_duplicates, 0u);

  const Result<PutRecordBatchAnswer> throttle_answer(
      make_error(ErrorKind::Throttle, "ServiceUnavailableException", "Slow down.", 503));
  auto throttled = retrier().judge(batch_of(4), throttle_answer, kNow);
  EXPECT_EQ(throttled.retry.size(), 4u);
  EXPECT_EQ(throttled.throttled, 4u);
}

// The backoff after a whole call failed grows with the failed calls the
// records met (an endpoint that is down), not with their refusals inside
// answers (the service up): a record refused four times and then caught by
// one 503 waits as after a first failed call.
TEST(Retrier, AWholeCallBackoffCountsFailedCallsNotAllSends) {
  const Result<PutRecordBatchAnswer> unavailable(
      make_error(ErrorKind::Throttle, "ServiceUnavailableException", "Slow down.", 503));
  const Retrier jitter_half = retrier(10);
  auto first = jitter_half.judge(batch_of(2, /*attempts=*/5), unavailable, kNow);
  // Full jitter at 0.5 of min(100 ms * 2^0, 1 s).
  EXPECT_EQ(first.retry_at, kNow + 50ms);
  EXPECT_EQ(first.retry[0]->calls_failed, 1);
  // The same records failing whole again, and again: 100 ms, then 200 ms.
  ++first.retry[0]->attempts;
  auto second = jitter_half.judge(std::move(first.retry), unavailable, kNow);
  EXPECT_EQ(second.retry_at, kNow + 100ms);
  auto third = jitter_half.judge(std::move(second.retry), unavailable, kNow);
  EXPECT_EQ(third.retry_at, kNow + 200ms);
}

// `send --pack`'s summary counted retries in lines and throttles in packed
// records ("retries":8000,"throttled":40): throttles are counted in user
// records too, beside the Firehose records the rate limiter needs.
TEST(Retrier, ThrottlesAreCountedInFirehoseRecordsAndInTheUserRecordsTheyHold) {
  Batch batch = batch_of(2);
  batch[0]->users.resize(3);  // a packed record of three lines
  batch[1]->users.resize(1);
  PutRecordBatchAnswer result;
  result.responses = {{"", "ServiceUnavailableException", "Slow down."}, {"id1", "", ""}};
  const Result<PutRecordBatchAnswer> answer(std::move(result));
  const auto judgement = retrier().judge(std::move(batch), answer, kNow);
  EXPECT_EQ(judgement.throttled, 1u);
  EXPECT_EQ(judgement.throttled_users, 3u);
}

TEST(Retrier, ACallTheTransportSentTwiceMakesEveryRecordAPossibleDuplicate) {
  PutRecordBatchAnswer result;
  result.responses = {{"id0", "", ""}, {"", "InternalFailure", "oops"}};
  result.resent = true;
  const Result<PutRecordBatchAnswer> answer(std::move(result));
  auto judgement = retrier().judge(batch_of(2), answer, kNow);
  EXPECT_EQ(judgement.possible_duplicates, 2u);
  ASSERT_EQ(judgement.acknowledged.size(), 1u);
  EXPECT_TRUE(judgement.acknowledged[0].first->possible_duplicate);
  ASSERT_EQ(judgement.retry.size(), 1u);
  EXPECT_TRUE(judgement.retry[0]->possible_duplicate);
}

TEST(Retrier, ConditionsThatFailEveryRecordAreFatal) {
  for (const auto& error : {make_error(ErrorKind::Client, "ResourceNotFoundException", "no stream", 400),
                            make_error(ErrorKind::Auth, "AccessDeniedException", "no", 400),
                            make_error(ErrorKind::Config, "NoCredentials", "none")}) {
    const Result<PutRecordBatchAnswer> answer(error);
    auto judgement = retrier().judge(batch_of(2), answer, kNow);
    ASSERT_TRUE(judgement.fatal.has_value()) << error.code;
    EXPECT_EQ(judgement.fatal->code, error.code);
    EXPECT_EQ(judgement.failed.size(), 2u);
    EXPECT_TRUE(judgement.retry.empty());
  }
}

TEST(Retrier, RecordsOutOfAttemptsOrTimeFailForGood) {
  PutRecordBatchAnswer result;
  result.responses = {{"", "ServiceUnavailableException", "Slow down."}};
  const Result<PutRecordBatchAnswer> answer(std::move(result));
  auto exhausted = retrier(3).judge(batch_of(1, /*attempts=*/3), answer, kNow);
  EXPECT_TRUE(exhausted.retry.empty());
  ASSERT_EQ(exhausted.failed.size(), 1u);
  EXPECT_EQ(exhausted.failed[0]->last_error.code, "ServiceUnavailableException");

  auto batch = batch_of(1);
  batch[0]->deadline = kNow - 1s;
  auto expired = retrier().judge(std::move(batch), answer, kNow);
  ASSERT_EQ(expired.failed.size(), 1u);
  EXPECT_NE(expired.failed[0]->last_error.message.find("time-to-live"), std::string::npos);
}

}  // namespace
}  // namespace firehose::producer
