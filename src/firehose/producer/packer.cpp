#include "firehose/producer/packer.hpp"

#include <algorithm>

#include "firehose/limits.hpp"

namespace firehose::producer {

Packer::Packer(std::size_t target_bytes) : target_(std::min(target_bytes, limits::kMaxRecordBytes)) {}

SteadyTime Packer::open_since() const { return open_ ? open_->queued_at : SteadyTime{}; }

bool Packer::starts_record(std::size_t size) const {
  if (target_ == 0 || !open_) return true;
  const bool needs_delimiter = !open_->data.empty() && open_->data.back() != '\n';
  return open_->data.size() + (needs_delimiter ? 1 : 0) + size > target_;
}

void Packer::add(RecordBytes data, UserRecord user, SteadyTime deadline, SteadyTime now, Batch& completed,
                 PendingPtr reuse) {
  auto fresh = [&reuse] { return reuse ? std::move(reuse) : std::make_unique<PendingRecord>(); };
  if (target_ == 0) {
    auto record = fresh();
    user.offset = 0;
    user.size = data.size();
    data.move_into(record->data);
    record->users.push_back(std::move(user));
    record->deadline = deadline;
    record->queued_at = now;
    completed.push_back(std::move(record));
    return;
  }
  if (open_ && starts_record(data.size())) seal(completed);
  if (!open_) {
    open_ = fresh();
    open_->data.clear();
    open_->data.reserve(std::max(target_, data.size()));
    open_->deadline = deadline;
    open_->queued_at = now;
  } else if (!open_->data.empty() && open_->data.back() != '\n') {
    open_->data.push_back('\n');
  }
  user.offset = open_->data.size();
  user.size = data.size();
  open_->data.append(data.view());
  open_->users.push_back(std::move(user));
  open_->deadline = std::min(open_->deadline, deadline);
  if (open_->data.size() >= target_) seal(completed);
}

void Packer::seal(Batch& completed) {
  if (!open_) return;
  // Sealed early (linger, flush): give back the room reserved for the
  // target, so that a trickle of input does not hold a target's worth of
  // memory per record.
  if (open_->data.capacity() - open_->data.size() > open_->data.size() / 8) open_->data.shrink_to_fit();
  completed.push_back(std::move(open_));
}

}  // namespace firehose::producer
