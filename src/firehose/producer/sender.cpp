#include "firehose/producer/sender.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/log.hpp"
#include "firehose/answer_judge.hpp"
#include "firehose/batch_body_call.hpp"
#include "protocol/firehose.hpp"

namespace firehose::producer {
namespace {

// A sender reads records that put() wrote, usually on the other core; in a
// profile its loops over a batch's records mostly waited on those cache
// misses. Asking for the next records ahead of use overlaps the waits.
constexpr std::size_t kRecordsAhead = 8;

void prefetch_data(const std::string& data) {
  const char* p = data.data();
  const std::size_t bytes = std::min<std::size_t>(data.size(), 2048);
  for (std::size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset);
}

}  // namespace

Sender::Sender(const ProducerOptions& options, std::shared_ptr<FirehoseClient> client, AdaptiveRateLimiter& limiter,
               const Retrier& retrier, OutcomeResolver& outcomes, MemoryBudget& budget, BodyBuffers& body_buffers,
               DispatcherLink dispatcher)
    : options_(options),
      client_(std::move(client)),
      limiter_(limiter),
      retrier_(retrier),
      outcomes_(outcomes),
      budget_(budget),
      body_buffers_(body_buffers),
      dispatcher_(std::move(dispatcher)) {}

void Sender::fail_all(Batch& records, const Error& error) {
  std::size_t released = 0;
  for (auto& record : records) {
    record->last_error = error;
    released += outcomes_.fail(*record);
  }
  budget_.release(released);
}

// snippet-start:[cpp.example_code.firehose.PutRecordBatch]
Batch Sender::send(Batch batch) {
  protocol::PutRecordBatchSize body_size(options_.delivery_stream_name.size());
  std::size_t raw_bytes = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (i + kRecordsAhead < batch.size()) __builtin_prefetch(batch[i + kRecordsAhead].get());
    raw_bytes += batch[i]->data.size();
    body_size.add(batch[i]->data.size());
  }
  if (!limiter_.acquire(batch.size(), raw_bytes, std::chrono::steady_clock::time_point::max())) {
    fail_all(batch, refusal());  // cancelled: a fatal error or shutdown's deadline
    return batch;
  }
  const std::size_t body_bytes = body_size.size();
  protocol::PutRecordBatchBody body(options_.delivery_stream_name, body_buffers_.take(body_bytes));
  body.reserve(body_bytes);
  const auto wall_now = std::chrono::system_clock::now();
  int attempt = 1;
  std::uint64_t resends = 0;
  std::size_t users = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (i + 1 < batch.size()) prefetch_data(batch[i + 1]->data);
    auto& record = batch[i];
    if (record->attempts == 0) {
      record->first_attempt = wall_now;
    } else {
      resends += record->users.size();
    }
    users += record->users.size();
    ++record->attempts;
    attempt = std::max(attempt, record->attempts);
    record->last_attempt = wall_now;
    body.add(record->data);
  }
  std::string body_buffer = body.finish();
  const Call sent = call(body_buffer, batch.size(), users, raw_bytes, attempt, resends, protocol::RecordIdUse::kKept);
  body_buffers_.give_back(std::move(body_buffer), body_bytes);
  return conclude(std::move(batch), sent);
}

Sender::Call Sender::call(std::string& body, std::size_t count, std::size_t users, std::size_t raw_bytes, int attempt,
                          std::uint64_t resends, protocol::RecordIdUse record_ids) {
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  const auto started = std::chrono::steady_clock::now();
  Call sent{put_record_batch_body(*client_, body, count, &abort_, record_ids), started, {}, count};
  sent.finished = std::chrono::steady_clock::now();
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  request_latency_.record(sent.finished - started);
  // `retries` counts every re-send of a record, the transport's silent ones too.
  if (sent.answer && sent.answer->sends > 1) resends += static_cast<std::uint64_t>(sent.answer->sends - 1) * users;
  records_retried_.fetch_add(resends, std::memory_order_relaxed);
  if (options_.on_batch) report_batch(count, raw_bytes, attempt, sent.answer, sent.finished - started);
  return sent;
}

Batch Sender::conclude(Batch batch, const Call& sent) {
  const auto& answer = sent.answer;
  Judgement judgement = retrier_.judge(std::move(batch), answer, sent.finished);
  if (!answer) {
    requests_failed_.fetch_add(1, std::memory_order_relaxed);
    if (answer.error().kind != ErrorKind::Transport) endpoint_answered_.store(true, std::memory_order_relaxed);
    if (!judgement.fatal) judgement.fatal = unreachable(answer.error(), judgement);
    logging::debug("PutRecordBatch of {} records failed: {}", sent.count, answer.error().to_string());
    // A fatal error is logged as the producer stops; an abandoned call (shutdown's deadline) is no news.
    if (!judgement.fatal && answer.error().code != "RequestAborted") note_call_failure(answer.error());
  } else {
    note_call_answered();
    if (answer->failed_put_count > 0) {
      requests_partial_.fetch_add(1, std::memory_order_relaxed);
    } else {
      requests_ok_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  // The limiter learns what the service accepted from every answer, a
  // partly throttled one included (counting none of its records made the
  // accepted rate collapse under throttling, and each decrease after it
  // deeper than the overload called for).
  std::size_t accepted_bytes = 0;
  for (const auto& acknowledged : judgement.acknowledged) accepted_bytes += acknowledged.first->data.size();
  if (answer || judgement.throttled > 0) {
    limiter_.on_answer({judgement.acknowledged.size(), accepted_bytes, judgement.throttled, sent.started, answer.ok()});
  }
  // In user records, as retries and outcomes are counted (the limiter above takes Firehose records).
  records_throttled_.fetch_add(judgement.throttled_users, std::memory_order_relaxed);
  possible_duplicates_.fetch_add(judgement.possible_duplicates, std::memory_order_relaxed);

  // Counters, resolution and the budget once per answer: each release
  // wakes the thread blocked in put(), and the counters are shared with it.
  OutcomeResolver::AckTally tally;
  const auto now = std::chrono::steady_clock::now();
  for (auto& [record, record_id] : judgement.acknowledged) outcomes_.acknowledge(*record, record_id, now, tally);
  outcomes_.settle(tally);
  std::size_t released = tally.charge;
  for (auto& record : judgement.failed) released += outcomes_.fail(*record);
  budget_.release(released);
  Batch resolved = std::move(judgement.failed);
  for (auto& acknowledged : judgement.acknowledged) resolved.push_back(std::move(acknowledged.first));
  if (judgement.fatal) dispatcher_.stop_for(*judgement.fatal);
  if (!judgement.retry.empty()) {
    if (auto refusal = dispatcher_.requeue(judgement.retry, judgement.retry_at)) {
      // Not sent again (fatal error, or shutdown's deadline): the refusal is
      // the reason, the last error what the last send met.
      for (auto& record : judgement.retry) {
        const std::string last = record->last_error.code;
        record->last_error = *refusal;
        if (!last.empty()) record->last_error.message += fmt::format(" (last send: {})", last);
      }
      released = 0;
      for (auto& record : judgement.retry) released += outcomes_.fail(*record);
      budget_.release(released);
      for (auto& record : judgement.retry) resolved.push_back(std::move(record));
    }
  }
  return resolved;
}
// snippet-end:[cpp.example_code.firehose.PutRecordBatch]

Sender::FramedSent Sender::send_framed(FramedBatch framed) {
  const std::size_t count = framed.records();
  const std::size_t raw_bytes = framed.raw_bytes();
  Batch records;
  if (!limiter_.acquire(count, raw_bytes, std::chrono::steady_clock::time_point::max())) {
    framed.to_pending(records, 0, {}, options_.record_ttl);
    framed.give_buffer_back(body_buffers_);
    fail_all(records, refusal());
    return {std::move(records), raw_bytes};
  }
  const auto wall_now = std::chrono::system_clock::now();
  // Framed records have no callback: no outcome carries a RecordId.
  const Call sent = call(framed.finish(), count, count, raw_bytes, 1, 0, protocol::RecordIdUse::kChecked);
  if (acknowledges_all(sent.answer)) {
    // The common case, resolved as a whole: no record object ever existed.
    note_call_answered();
    requests_ok_.fetch_add(1, std::memory_order_relaxed);
    limiter_.on_answer({count, raw_bytes, 0, sent.started, true});
    OutcomeResolver::AckTally tally;
    const auto now = std::chrono::steady_clock::now();
    for (const auto& entry : framed.entries()) {
      outcomes_.acknowledge_unwatched(entry.size, entry.put_time, entry.charge, entry.epoch_slot, now, tally);
    }
    framed.give_buffer_back(body_buffers_);
    outcomes_.settle(tally);
    budget_.release(tally.charge);
    return {{}, raw_bytes};
  }
  // Anything else takes the path of every other batch, record by record.
  framed.to_pending(records, 1, wall_now, options_.record_ttl);
  framed.give_buffer_back(body_buffers_);
  return {conclude(std::move(records), sent), raw_bytes};
}

Error Sender::refusal() const {
  return dispatcher_.refusal().value_or(
      make_error(ErrorKind::Client, "Shutdown", "the producer closed before this record was sent"));
}

// An answer that acknowledges every record, as the retrier would judge it,
// and whose call went once (else its records may be duplicates).
bool Sender::acknowledges_all(const Result<PutRecordBatchAnswer>& answer) {
  if (!answer || answer->failed_put_count != 0 || answer->resent) return false;
  return std::all_of(answer->responses.begin(), answer->responses.end(),
                     [](const auto& entry) { return judge_entry(entry).verdict == Verdict::kAcknowledged; });
}

void Sender::note_call_failure(const Error& error) {
  constexpr auto kReminder = std::chrono::seconds(10);
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(streak_mutex_);
  ++failed_calls_in_a_row_;
  if (failed_calls_in_a_row_ > 1 && now - last_streak_log_ < kReminder) return;
  last_streak_log_ = now;
  const int attempts = options_.retry.max_attempts;
  logging::warn("PutRecordBatch failed{}: {}; {}",
                failed_calls_in_a_row_ > 1 ? fmt::format(" ({} calls in a row)", failed_calls_in_a_row_) : "",
                error.to_string(),
                attempts > 1 ? fmt::format("its records are sent again (at most {} attempts each)", attempts)
                             : std::string("its records are not sent again (one attempt each)"));
}

std::optional<Error> Sender::unreachable(const Error& error, const Judgement& judgement) const {
  if (judgement.failed.empty() || !never_reached(error) || endpoint_answered_.load(std::memory_order_relaxed)) {
    return std::nullopt;
  }
  return never_reached_stop(error);
}

void Sender::note_call_answered() {
  endpoint_answered_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(streak_mutex_);
  if (failed_calls_in_a_row_ > 0) {
    logging::info("PutRecordBatch answered again after {} failed calls", failed_calls_in_a_row_);
  }
  failed_calls_in_a_row_ = 0;
}

void Sender::report_batch(std::size_t count, std::size_t bytes, int attempt, const Result<PutRecordBatchAnswer>& answer,
                          std::chrono::nanoseconds latency) const {
  BatchReport report;
  report.records = count;
  report.bytes = bytes;
  report.attempt = attempt;
  report.latency = latency;
  if (!answer) {
    report.failed_put_count = count;
    report.error_codes.emplace_back(answer.error().code, count);
    report.call_error = answer.error();
  } else {
    report.failed_put_count = static_cast<std::size_t>(answer->failed_put_count);
    if (answer->failed_put_count > 0) {
      std::map<std::string_view, std::size_t> codes;
      for (const auto& entry : answer->responses) {
        if (!entry.ok()) ++codes[entry.error_code];
      }
      for (const auto& [code, n] : codes) report.error_codes.emplace_back(std::string(code), n);
    }
  }
  try {
    options_.on_batch(report);
  } catch (const std::exception& e) {
    logging::error("the on_batch callback threw: {}", e.what());
  }
}

}  // namespace firehose::producer
