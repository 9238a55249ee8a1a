#pragma once
// The unit the pipeline moves: one Firehose record (one entry of a
// PutRecordBatch call) carrying one user record, or several when packed.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "firehose/error.hpp"
#include "firehose/producer.hpp"

namespace firehose::producer {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

// One record as the user put it; resolved exactly once.
struct UserRecord {
  OutcomeCallback callback;
  SteadyTime put_time;
  std::size_t offset = 0;  // where its bytes are in the Firehose record's data
  std::size_t size = 0;
  std::size_t charge = 0;  // what it holds of the memory budget
  std::uint8_t epoch_slot = 0;  // its flush epoch's (OutcomeResolver::epoch_slot())
};

struct PendingRecord {
  std::string data;
  std::vector<UserRecord> users;
  int attempts = 0;  // sends so far
  int calls_failed = 0;  // of those, calls that failed whole (no answer): their backoff grows with these
  WallTime first_attempt{};
  WallTime last_attempt{};
  SteadyTime deadline{};            // the earliest user's put_time + record TTL
  SteadyTime queued_at{};           // when it became ready to batch (linger is measured from here)
  SteadyTime retry_at{};            // for records waiting to be retried
  bool possible_duplicate = false;  // a send's outcome was unknown
  Error last_error;
};

using PendingPtr = std::unique_ptr<PendingRecord>;
using Batch = std::vector<PendingPtr>;

}  // namespace firehose::producer
