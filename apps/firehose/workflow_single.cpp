#include "workflow_single.hpp"

#include <cmath>
#include <thread>

#include <fmt/format.h>

#include "firehose/limits.hpp"
#include "firehose/retry.hpp"
#include "logging.hpp"

namespace firehose::cli {

SingleRecordSender::SingleRecordSender(std::shared_ptr<FirehoseClient> client, std::shared_ptr<Session> session,
                                       std::string stream, RetryPolicy policy, DeadLetterWriter* dead_letter)
    : client_(std::move(client)),
      session_(std::move(session)),
      stream_(std::move(stream)),
      policy_(policy),
      dead_letter_(dead_letter) {}

void SingleRecordSender::refuse(std::size_t size) {
  ++stats_.records;
  ++stats_.failed;
  log_event(spdlog::level::err, event::kError, {{"stream", stream_}, {"bytes", size}, {"error_code", "RecordTooLarge"}},
            fmt::format("a record of {} bytes is over Firehose's 1,024,000-byte limit; not sent", size));
}

// snippet-start:[cpp.example_code.firehose.PutRecord]
Status SingleRecordSender::send(std::string_view record) {
  if (record.size() > limits::kMaxRecordBytes) {
    refuse(record.size());
    return {};
  }
  using Clock = std::chrono::steady_clock;
  RetryState retry(*session_, policy_);
  ++stats_.records;
  const auto first_attempt = std::chrono::system_clock::now();
  const auto started = Clock::now();
  bool possible_duplicate = false;
  for (int attempt = 1;; ++attempt) {
    ++stats_.requests;
    auto answer = client_->put_record(stream_, record);
    if (answer) {
      endpoint_answered_ = true;
      retry.succeeded();
      const double latency = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      ++stats_.acknowledged;
      stats_.bytes_acknowledged += record.size();
      stats_.latency_ms.push_back(latency);
      if (possible_duplicate) ++stats_.possible_duplicates;
      log_event(spdlog::level::info, event::kRecordPut,
                {{"stream", stream_},
                 {"record_id", answer->record_id},
                 {"bytes", record.size()},
                 {"attempt", attempt},
                 {"latency_ms", std::round(latency * 10) / 10}},
                fmt::format("Record ingested successfully: RecordId {} ({} bytes, attempt {})", answer->record_id,
                            record.size(), attempt));
      return {};
    }
    const Error& error = answer.error();
    if (error.kind == ErrorKind::Throttle) ++stats_.throttled;
    if (error.kind != ErrorKind::Transport) endpoint_answered_ = true;
    if (!is_retryable(error)) {
      // The next record would meet it too: the run stops, and this record is accounted
      // (dead-lettered with the error) like every other one read.
      if (auto written = give_up(record, error, attempt, first_attempt, possible_duplicate); !written) return written;
      return error;
    }
    // The answer judge's rule (firehose/error.hpp): the record may be stored already.
    possible_duplicate = possible_duplicate || outcome_unknown(error) || error.sent_more_than_once;
    // Attempts used up, or the session's retry quota exhausted (an outage).
    const auto next = retry.retry_delay(error, attempt);
    if (!next) {
      if (auto written = give_up(record, error, attempt, first_attempt, possible_duplicate); !written) return written;
      // Nothing has ever answered: a wrong endpoint, or none running. The
      // next 99 records would each wait through their retries the same way
      // (97 s before the run gave up), as the producer's stop does for batches.
      if (!endpoint_answered_ && never_reached(error)) return never_reached_stop(error);
      return {};
    }
    const auto delay = *next;
    ++stats_.retries;
    log_event(spdlog::level::warn, event::kRetry,
              {{"stream", stream_},
               {"operation", "PutRecord"},
               {"attempt", attempt},
               {"max_attempts", policy_.max_attempts},
               {"error_code", error.code},
               {"delay_ms", delay.count()},
               {"request_id", error.request_id},
               {"throttled", error.kind == ErrorKind::Throttle}},
              fmt::format("Operation failed, retrying in {} ms (PutRecord attempt {}/{}: {})", delay.count(), attempt,
                          policy_.max_attempts, error.code));
    std::this_thread::sleep_for(delay);
  }
}
// snippet-end:[cpp.example_code.firehose.PutRecord]

Status SingleRecordSender::give_up(std::string_view record, const Error& error, int attempts,
                                   std::chrono::system_clock::time_point first_attempt, bool possible_duplicate) {
  ++stats_.failed;
  stats_.last_failure = error;
  if (possible_duplicate) ++stats_.possible_duplicates;
  bool written = false;
  if (dead_letter_ != nullptr) {
    DeadLetterEntry entry;
    entry.stream = stream_;
    entry.data = std::string(record);
    entry.error_code = error.code;
    entry.error_message = error.message;
    entry.attempts = attempts;
    entry.first_attempt = first_attempt;
    entry.last_attempt = std::chrono::system_clock::now();
    entry.possible_duplicate = possible_duplicate;
    if (auto status = dead_letter_->write(entry); !status) return status;
    ++stats_.dead_lettered;
    written = true;
  }
  log_event(spdlog::level::err, event::kDeadLettered,
            {{"stream", stream_},
             {"operation", "PutRecord"},
             {"records", 1},
             {"bytes", record.size()},
             {"attempt", attempts},
             {"error_code", error.code},
             {"request_id", error.request_id},
             {"dead_letter", written}},
            fmt::format("PutRecord gave up after {} attempts: {}{}", attempts, error.to_string(),
                        written ? fmt::format(" (written to {})", dead_letter_->path()) : std::string()));
  return {};
}

}  // namespace firehose::cli
