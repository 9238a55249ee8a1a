#pragma once
// Framing: turns user records into Firehose records. Without packing, one
// each. With packing, small records are joined (a '\n' between records that
// do not end with one) into Firehose records of up to a target size, which
// cuts the 5 KB-per-record billing rounding; every user record keeps its own
// outcome.
#include <cstddef>

#include "firehose/producer/pending_record.hpp"
#include "firehose/producer/record_bytes.hpp"

namespace firehose::producer {

class Packer {
 public:
  // target_bytes 0 = no packing. Never above the 1,024,000-byte record limit.
  explicit Packer(std::size_t target_bytes);

  // Adds a user record; returns the Firehose record(s) completed by it (zero,
  // one, or two when the open record was sealed and the new one is complete).
  // `reuse`, when given, is the record to fill if the add starts one (see
  // starts_record): a finished one whose allocations are recycled.
  void add(RecordBytes data, UserRecord user, SteadyTime deadline, SteadyTime now, Batch& completed,
           PendingPtr reuse = nullptr);
  void add(std::string data, UserRecord user, SteadyTime deadline, SteadyTime now, Batch& completed,
           PendingPtr reuse = nullptr) {
    add(RecordBytes(std::move(data)), std::move(user), deadline, now, completed, std::move(reuse));
  }
  // Seals the open packed record, if any (linger expired, flush, close).
  void seal(Batch& completed);
  // When the open packed record started (to seal it after the linger), if any.
  bool has_open() const { return open_ != nullptr; }
  SteadyTime open_since() const;
  bool packing() const { return target_ > 0; }
  // Whether add() of a record of this size would start a Firehose record
  // (always without packing), which costs memory of its own.
  bool starts_record(std::size_t size) const;

 private:
  std::size_t target_;
  PendingPtr open_;
};

}  // namespace firehose::producer
