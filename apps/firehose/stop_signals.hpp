#pragma once
// Ctrl-C and SIGTERM for long-running commands (send, workflow), handled on a
// thread of their own (sigwait) rather than in a signal handler, so that the
// reaction can be anything: the first signal stops reading and starts the
// drain with a grace period, a second one ends the drain at once. A thread
// blocked reading input (a quiet pipe, a terminal) is interrupted, so that a
// stop never waits for more input.
#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <thread>

#include <pthread.h>

namespace firehose::cli {

class StopSignals {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread (and so in every thread
  // it starts afterwards: create this before any worker thread) and starts
  // the watcher. `on_first` runs once, on the watcher thread, at the first
  // signal; `on_again` at each later one.
  StopSignals(std::function<void(int signal)> on_first, std::function<void(int signal)> on_again);
  ~StopSignals();  // restores the signal mask
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The first signal received, 0 if none.
  int received() const { return received_.load(); }
  bool stopping() const { return received() != 0; }
  // The reading thread is done with its input: no need to interrupt it.
  void reading_done() { reading_done_.store(true); }

  // The exit code a run stopped by `signal` ends with: 128 + its number.
  static int exit_code(int signal) { return 128 + signal; }

 private:
  void watch();

  std::function<void(int)> on_first_;
  std::function<void(int)> on_again_;
  std::atomic<int> received_{0};
  std::atomic<bool> reading_done_{false};
  std::atomic<bool> quit_{false};
  pthread_t reader_;
  sigset_t old_mask_{};
  std::thread watcher_;
};

}  // namespace firehose::cli
