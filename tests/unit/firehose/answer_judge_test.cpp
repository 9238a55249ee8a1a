#include "firehose/answer_judge.hpp"

#include <gtest/gtest.h>

#include "firehose/result.hpp"

namespace firehose {
namespace {

TEST(AnswerJudge, EntriesAreAcknowledgedRetriedOrFailedButNeverFatal) {
  EXPECT_EQ(judge_entry("", "").verdict, Verdict::kAcknowledged);
  const RecordVerdict slow = judge_entry("ServiceUnavailableException", "Slow down.");
  EXPECT_EQ(slow.verdict, Verdict::kRetry);
  EXPECT_TRUE(slow.throttled);
  const RecordVerdict internal = judge_entry("InternalFailure", "oops");
  EXPECT_EQ(internal.verdict, Verdict::kRetry);
  EXPECT_FALSE(internal.throttled);
  EXPECT_EQ(judge_entry("InvalidArgumentException", "bad").verdict, Verdict::kFail);
  // One record's refusal never stops the stream.
  EXPECT_EQ(judge_entry("ResourceNotFoundException", "gone").verdict, Verdict::kFail);
}

TEST(AnswerJudge, WholeCallErrorsAreRetriedOrFatal) {
  Error missing = make_error(ErrorKind::Client, "ResourceNotFoundException", "gone");
  EXPECT_EQ(judge_call_error(missing).verdict, Verdict::kFatal);
  Error denied = make_error(ErrorKind::Auth, "AccessDeniedException", "no");
  EXPECT_EQ(judge_call_error(denied).verdict, Verdict::kFatal);
  Error busy = make_error(ErrorKind::Throttle, "ServiceUnavailableException", "Slow down.");
  EXPECT_EQ(judge_call_error(busy).verdict, Verdict::kRetry);
  EXPECT_TRUE(judge_call_error(busy).throttled);
  Error reset = make_error(ErrorKind::Transport, "ConnectionReset", "reset");
  reset.transport = TransportFailure::Reset;
  EXPECT_EQ(judge_call_error(reset).verdict, Verdict::kRetry);
  EXPECT_TRUE(judge_call_error(reset).outcome_unknown);
  Error refused = make_error(ErrorKind::Transport, "ConnectionRefused", "refused");
  refused.transport = TransportFailure::Refused;
  EXPECT_FALSE(judge_call_error(refused).outcome_unknown);
  Error connect_timeout = make_error(ErrorKind::Transport, "ConnectTimeout", "slow");
  connect_timeout.transport = TransportFailure::Timeout;
  EXPECT_FALSE(judge_call_error(connect_timeout).outcome_unknown);
  Error read_timeout = make_error(ErrorKind::Transport, "RequestTimeout", "slow");
  read_timeout.transport = TransportFailure::Timeout;
  EXPECT_TRUE(judge_call_error(read_timeout).outcome_unknown);
  Error aborted = make_error(ErrorKind::Transport, "RequestAborted", "shutdown");
  aborted.transport = TransportFailure::Other;
  EXPECT_TRUE(judge_call_error(aborted).outcome_unknown);
}

TEST(AnswerJudge, AnErrorAnsweringARequestSentTwiceLeavesTheOutcomeUnknown) {
  // The transport re-sent the call after a connection died: the first send may
  // have been stored, whatever the second one's answer (a 500 here) says.
  Error error = make_error(ErrorKind::Transient, "InternalFailure", "oops", 500);
  EXPECT_FALSE(judge_call_error(error).outcome_unknown);
  error.sent_more_than_once = true;
  EXPECT_TRUE(judge_call_error(error).outcome_unknown);
  EXPECT_EQ(judge_call_error(error).verdict, Verdict::kRetry);
}

TEST(AnswerJudge, ATlsFailureIsFatalEverywhere) {
  // One retryability rule: the public is_retryable and the judge agree.
  Error tls = make_error(ErrorKind::Transport, "TlsError", "bad certificate");
  tls.transport = TransportFailure::Tls;
  EXPECT_FALSE(is_retryable(tls));
  EXPECT_EQ(judge_call_error(tls).verdict, Verdict::kFatal);
}

}  // namespace
}  // namespace firehose
