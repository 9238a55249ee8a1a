// The dispatcher's framing at put(): records put without a callback (and
// unpacked) are base64-encoded into the body of an open FramedBatch as they
// are queued, on the thread that put them; full batches wait for a sender.
// Each body's buffer comes from the senders' pool (BodyBuffers).
#include "firehose/producer/dispatcher.hpp"

#include <algorithm>

namespace firehose::producer {

void Dispatcher::frame(PutItem& item, SteadyTime now, std::uint8_t epoch_slot) {
  const std::size_t size = item.data.size();
  if (open_framed_ &&
      !open_framed_->fits(size, options_.max_batch_records, options_.max_batch_bytes, framed_raw_cap_)) {
    framed_full_.push_back(std::move(*open_framed_));
    open_framed_.reset();
  }
  if (!open_framed_) open_framed_.emplace(open_framed_batch(size));
  open_framed_->add(item.data.view(), now, item.charge, epoch_slot);
  if (open_framed_->records() >= options_.max_batch_records) {
    framed_full_.push_back(std::move(*open_framed_));
    open_framed_.reset();
  }
}

// A body buffer from the pool, asked for the size of the last framed body
// cut and an eighth more, in 64 KiB steps: a steady stream's bodies then
// all ask for the same size, and any idle buffer fits the next one. A
// trickle cut by the linger does not hold a buffer for a full batch that
// nothing charged. A body that outgrows its buffer moves into one for a
// batch of records like its first, or else twice its size.
FramedBatch Dispatcher::open_framed_batch(std::size_t first_record_size) {
  constexpr std::size_t kStep = 64 * 1024;
  auto in_steps = [](std::size_t bytes) { return (bytes + kStep - 1) / kStep * kStep; };
  const std::size_t within_cap = framed_raw_cap_ / std::max<std::size_t>(1, first_record_size);
  const std::size_t cap_records = std::min(options_.max_batch_records, within_cap + (within_cap < SIZE_MAX ? 1 : 0));
  const std::size_t full = framed_body_estimate(options_.delivery_stream_name.size(), first_record_size, cap_records,
                                                options_.max_batch_bytes);
  std::size_t expected = std::max(last_framed_body_, kStep);
  expected += expected / 8;
  // The slow start's requests grow with its rate, faster than the last body
  // shows: its cap is what the next body fills (each outgrown buffer was a
  // fresh mapping, page by page, for every eighth body of a 1 GiB run).
  if (framed_raw_cap_ != SIZE_MAX) expected = std::max(expected, full);
  const std::size_t request = std::min(in_steps(options_.max_batch_bytes), in_steps(expected));
  std::string buffer = framing_.buffers->take(request);
  if (buffer.capacity() < request) {
    std::string exact;
    exact.reserve(request);
    buffer.swap(exact);
  }
  return FramedBatch(options_.delivery_stream_name, std::move(buffer), request, std::max(request, in_steps(full)));
}

std::optional<FramedBatch> Dispatcher::take_framed(SteadyTime now, bool force, std::size_t max_raw_bytes) {
  std::optional<FramedBatch> out;
  if (!framed_full_.empty()) {
    out.emplace(std::move(framed_full_.front()));
    framed_full_.pop_front();
  } else if (open_framed_ && (force || now >= open_framed_->oldest() + options_.linger)) {
    out.emplace(std::move(*open_framed_));
    open_framed_.reset();
  } else {
    return std::nullopt;
  }
  last_framed_body_ = out->body_bytes();
  // The limiter asks for smaller requests (its slow start) than the batch
  // was framed for: the rest goes first next time.
  const std::size_t keep = out->records_within(max_raw_bytes);
  if (keep < out->records()) {
    framed_full_.push_front(out->split_off(keep, open_framed_batch(out->entries()[keep].size)));
  }
  return out;
}

}  // namespace firehose::producer
