#pragma once
// The end of a graceful stop's grace, kept apart from the producer's intake.
// Calling Producer::shutdown(grace) at Ctrl-C closes the intake at once, and
// a put() waiting for memory then refuses the record it holds, a record
// already read, as "Shutdown" unsent: one dead letter at every Ctrl-C of a
// busy run. Instead the signal only stops the reading (the reader checks
// between records) and arms this deadline; once the reader is out, the
// producer is shut down with the time left. Should the reader stay stuck in
// put() until the deadline (an endpoint that stopped answering), the
// deadline shuts the producer down itself, as shutdown(grace) would have.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace firehose::cli {

class DrainDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `at_deadline` runs once, on a thread of this object's, when an armed
  // deadline passes before disarm().
  explicit DrainDeadline(std::function<void()> at_deadline);
  ~DrainDeadline();  // disarm()
  DrainDeadline(const DrainDeadline&) = delete;
  DrainDeadline& operator=(const DrainDeadline&) = delete;

  // The grace starts now. Thread-safe; only the first call counts.
  void arm(Clock::duration grace);
  // What is left of the grace (zero once it passed); nullopt when not armed.
  std::optional<Clock::duration> time_left() const;
  // The run is over: `at_deadline` will not run (waits for it if it is running).
  void disarm();

 private:
  void wait_for_deadline();

  std::function<void()> at_deadline_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Clock::time_point> deadline_;
  bool disarmed_ = false;
  std::thread timer_;
};

}  // namespace firehose::cli
