#include "firehose/producer/framed_batch.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "core/crypto.hpp"
#include "firehose/limits.hpp"

namespace firehose::producer {

FramedBatch::FramedBatch(std::string_view stream_name, std::string buffer, std::size_t buffer_request,
                         std::size_t grow_to)
    : builder_(stream_name, std::move(buffer)),
      buffer_request_(buffer_request),
      grow_to_(grow_to),
      stream_name_(stream_name) {}

bool FramedBatch::fits(std::size_t raw_size, std::size_t max_records, std::size_t max_body_bytes,
                       std::size_t max_raw_bytes) const {
  if (entries_.empty()) return true;
  return entries_.size() < max_records && builder_.size_with(raw_size) <= max_body_bytes &&
         raw_bytes_ + raw_size <= max_raw_bytes;
}

void FramedBatch::add(std::string_view data, SteadyTime put_time, std::size_t charge, std::uint8_t epoch_slot) {
  const std::size_t needed = builder_.size_with(data.size());
  if (needed > builder_.capacity()) {
    // At once to the size expected, else by doubling: grown by what each
    // record needed, every record past the expected size copied the body.
    builder_.reserve(
        std::max({needed, grow_to_, std::min<std::size_t>(limits::kMaxBatchRequestBytes, builder_.capacity() * 2)}));
  }
  Entry entry;
  entry.offset = static_cast<std::uint32_t>(builder_.add(data));
  entry.size = static_cast<std::uint32_t>(data.size());
  entry.put_time = put_time;
  entry.charge = charge;
  entry.epoch_slot = epoch_slot;
  entries_.push_back(entry);
  raw_bytes_ += data.size();
  charge_ += charge;
}

std::size_t FramedBatch::records_within(std::size_t max_raw_bytes) const {
  std::size_t bytes = 0;
  std::size_t count = 0;
  for (const auto& entry : entries_) {
    if (count > 0 && bytes + entry.size > max_raw_bytes) break;
    bytes += entry.size;
    ++count;
  }
  return count;
}

FramedBatch FramedBatch::split_off(std::size_t first, FramedBatch rest) {
  if (first == 0 || first >= entries_.size()) return rest;
  for (std::size_t i = first; i < entries_.size(); ++i) {
    Entry entry = entries_[i];
    entry.offset = static_cast<std::uint32_t>(rest.builder_.add_encoded(base64_of(entries_[i])));
    rest.entries_.push_back(entry);
    rest.raw_bytes_ += entry.size;
    rest.charge_ += entry.charge;
    raw_bytes_ -= entry.size;
    charge_ -= entry.charge;
  }
  const Entry& last_kept = entries_[first - 1];
  builder_.cut_back(first, last_kept.offset + aws::crypto::base64_encoded_size(last_kept.size));
  entries_.resize(first);
  return rest;
}

std::string_view FramedBatch::base64_of(const Entry& entry) const {
  const std::string_view text = finished_ ? std::string_view(body_) : builder_.text();
  return text.substr(entry.offset, aws::crypto::base64_encoded_size(entry.size));
}

std::string& FramedBatch::finish() {
  if (!finished_) {
    body_ = builder_.finish();
    finished_ = true;
  }
  return body_;
}

void FramedBatch::to_pending(Batch& out, int attempts, WallTime attempt_time,
                             std::chrono::milliseconds record_ttl) const {
  for (const auto& entry : entries_) {
    auto record = std::make_unique<PendingRecord>();
    const std::string_view base64 = base64_of(entry);
    record->data.resize(aws::crypto::base64_decoded_bound(base64.size()));
    auto decoded = aws::crypto::base64_decode_to(base64, record->data.data());
    // The body was encoded here from these very bytes: it always decodes.
    if (!decoded || *decoded != entry.size) throw std::logic_error("a framed record's base64 did not decode");
    record->data.resize(entry.size);
    UserRecord user;
    user.put_time = entry.put_time;
    user.size = entry.size;
    user.charge = entry.charge;
    user.epoch_slot = entry.epoch_slot;
    record->users.push_back(std::move(user));
    record->attempts = attempts;
    if (attempts > 0) record->first_attempt = record->last_attempt = attempt_time;
    record->deadline = entry.put_time + record_ttl;
    record->queued_at = entry.put_time;
    out.push_back(std::move(record));
  }
}

void FramedBatch::give_buffer_back(BodyBuffers& pool) {
  std::string buffer = finished_ ? std::exchange(body_, std::string()) : builder_.finish();
  finished_ = false;
  pool.give_back(std::move(buffer), buffer_request_);
}

std::size_t framed_body_estimate(std::size_t stream_name_size, std::size_t raw_size, std::size_t records,
                                 std::size_t max_body_bytes) {
  protocol::PutRecordBatchSize size(stream_name_size);
  const std::size_t one = size.size_with(raw_size) - size.size() + 1;  // an entry and its comma
  return std::min(max_body_bytes, size.size() + one * records);
}

}  // namespace firehose::producer
