#pragma once
// Fault injection for put requests, repeatable with --seed: each request gets
// its own generator from the seeded source and always draws the same numbers
// in the same order, whatever the rates are, so that a given sequence of
// requests meets the same faults run after run (and changing one rate does
// not reshuffle the others).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

#include "random.hpp"
#include "settings.hpp"

namespace firehose::local {

// What happens to one put request.
struct RequestFaults {
  std::chrono::milliseconds stall{0};    // no answer for this long first
  std::chrono::milliseconds latency{0};  // added before answering
  std::optional<int> fail_status;        // 500 (InternalFailure) or 503 (ServiceUnavailableException)
  bool reset_before = false;             // drop the connection, store nothing
  bool reset_after = false;              // store, then drop the connection without an answer
};

// The per-record decisions of one request.
class RecordFaults {
 public:
  RecordFaults(Random random, double rate, RecordFailureCode code) : random_(random), rate_(rate), code_(code) {}
  // The error code for the next record, or nullopt when it goes through.
  std::optional<std::string_view> next();

 private:
  Random random_;
  double rate_;
  RecordFailureCode code_;
};

struct RequestPlan {
  RequestFaults faults;
  RecordFaults records;
  Random ids;  // record ids and the like for this request
};

class FaultInjector {
 public:
  explicit FaultInjector(std::uint64_t seed) : source_(seed) {}

  RequestPlan plan(const FaultSettings& settings);

  // Sleeps, unless interrupt() is called (shutdown); returns false if interrupted.
  bool sleep_for(std::chrono::milliseconds duration);
  void interrupt();

 private:
  RandomSource source_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool interrupted_ = false;
};

}  // namespace firehose::local
