#include "firehose/producer/batcher.hpp"

#include <algorithm>

#include "aws/crypto.hpp"
#include "firehose/protocol.hpp"

namespace firehose::producer {

Batcher::Batcher(std::string stream_name, std::size_t max_records, std::size_t max_bytes,
                 std::chrono::milliseconds linger)
    : stream_name_(std::move(stream_name)), max_records_(max_records), max_bytes_(max_bytes), linger_(linger) {}

std::size_t Batcher::encoded_size(const PendingRecord& record) const {
  // {"Data":"..."} plus the separating comma: what one more record adds to a body.
  return aws::crypto::base64_encoded_size(record.data.size()) + 12;
}

void Batcher::add(PendingPtr record) {
  queued_encoded_bytes_ += encoded_size(*record);
  queue_.push_back(std::move(record));
}

void Batcher::add_retry(Batch records, SteadyTime at) {
  if (records.empty()) return;
  retry_records_ += records.size();
  retries_.push(RetryGroup{at, next_sequence_++, std::move(records)});
}

std::size_t Batcher::waiting_retries() const { return retry_records_; }

void Batcher::release_due_retries(SteadyTime now) {
  std::vector<Batch> due;
  while (!retries_.empty() && retries_.top().at <= now) {
    // priority_queue::top is const; the group is moved out just before pop.
    due.push_back(std::move(const_cast<RetryGroup&>(retries_.top()).records));
    retries_.pop();
  }
  // The earliest group ends up first, each group in its own order.
  for (auto group = due.rbegin(); group != due.rend(); ++group) {
    retry_records_ -= group->size();
    for (auto it = group->rbegin(); it != group->rend(); ++it) {
      queued_encoded_bytes_ += encoded_size(**it);
      queue_.push_front(std::move(*it));
    }
  }
}

bool Batcher::full() const {
  const std::size_t envelope = protocol::PutRecordBatchSize(stream_name_.size()).size();
  return queue_.size() >= max_records_ || queued_encoded_bytes_ + envelope > max_bytes_;
}

std::optional<Batch> Batcher::take(SteadyTime now, bool force, std::size_t max_raw_bytes) {
  if (queue_.empty()) return std::nullopt;
  if (!force && !full() && now < queue_.front()->queued_at + linger_) return std::nullopt;
  Batch batch;
  protocol::PutRecordBatchSize size(stream_name_.size());
  std::size_t raw_bytes = 0;
  while (!queue_.empty() && batch.size() < max_records_) {
    const std::size_t raw = queue_.front()->data.size();
    // A record alone always goes (the limits admit any single valid record).
    if (!batch.empty() && (size.size_with(raw) > max_bytes_ || raw_bytes + raw > max_raw_bytes)) break;
    size.add(raw);
    raw_bytes += raw;
    queued_encoded_bytes_ -= encoded_size(*queue_.front());
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

std::optional<SteadyTime> Batcher::next_due() const {
  std::optional<SteadyTime> due;
  if (!queue_.empty()) due = queue_.front()->queued_at + linger_;
  if (!retries_.empty()) due = due ? std::min(*due, retries_.top().at) : retries_.top().at;
  return due;
}

Batch Batcher::drain() {
  Batch all;
  while (!retries_.empty()) {
    auto& group = const_cast<RetryGroup&>(retries_.top());
    for (auto& record : group.records) all.push_back(std::move(record));
    retries_.pop();
  }
  retry_records_ = 0;
  while (!queue_.empty()) {
    all.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  queued_encoded_bytes_ = 0;
  return all;
}

}  // namespace firehose::producer
