#pragma once
// The workflow's first step: records sent one by one with PutRecord, each
// retried on throttling and transient errors with the SDKs' standard policy
// (firehose::RetryState: capped exponential backoff with full jitter) and the
// session's retry quota. Every success and every retry is logged.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/dead_letter.hpp"
#include "firehose/firehose_client.hpp"
#include "firehose/result.hpp"
#include "firehose/retry_policy.hpp"
#include "firehose/session.hpp"

namespace firehose::cli {

struct SingleRecordStats {
  std::uint64_t records = 0;  // records given to PutRecord
  std::uint64_t acknowledged = 0;
  std::uint64_t failed = 0;  // given up on (retries exhausted)
  std::uint64_t dead_lettered = 0;
  std::uint64_t requests = 0;  // PutRecord calls, retries included
  std::uint64_t retries = 0;
  std::uint64_t throttled = 0;            // calls answered with a throttle
  std::uint64_t possible_duplicates = 0;  // records retried after an answer was lost (it may have been stored)
  std::uint64_t bytes_acknowledged = 0;
  std::vector<double> latency_ms;     // per acknowledged record, first send to answer
  std::optional<Error> last_failure;  // why the last record given up on failed
};

class SingleRecordSender {
 public:
  // `dead_letter` may be null (failed records are then only counted and logged).
  SingleRecordSender(std::shared_ptr<FirehoseClient> client, std::shared_ptr<Session> session, std::string stream,
                     RetryPolicy policy, DeadLetterWriter* dead_letter);

  // Sends one record until it is acknowledged or given up on. An error only
  // for a condition that will fail every record (stream not found, access
  // denied, bad credentials, a dead-letter file that cannot be written, an
  // endpoint no call has ever reached once a record used its attempts on it): the run stops.
  Status send(std::string_view record);

  // Counts a record that cannot be sent (over the record limit) as failed, and logs it.
  void refuse(std::size_t size);

  const SingleRecordStats& stats() const { return stats_; }

 private:
  Status give_up(std::string_view record, const Error& error, int attempts,
                 std::chrono::system_clock::time_point first_attempt, bool possible_duplicate);

  std::shared_ptr<FirehoseClient> client_;
  std::shared_ptr<Session> session_;
  std::string stream_;
  RetryPolicy policy_;
  DeadLetterWriter* dead_letter_;
  SingleRecordStats stats_;
  bool endpoint_answered_ = false;  // any HTTP answer, an error included
};

}  // namespace firehose::cli
