#include "stop_signals.hpp"

#include <cerrno>
#include <ctime>

namespace firehose::cli {
namespace {

// SIGUSR1 interrupts a read(2) the reading thread is blocked in: its handler
// does nothing, and without SA_RESTART the read returns EINTR.
extern "C" void on_wakeup(int) {}

sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

StopSignals::StopSignals(std::function<void(int)> on_first, std::function<void(int)> on_again)
    : on_first_(std::move(on_first)), on_again_(std::move(on_again)), reader_(pthread_self()) {
  struct sigaction action {};
  action.sa_handler = on_wakeup;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART
  sigaction(SIGUSR1, &action, nullptr);
  const sigset_t set = stop_set();
  pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
  watcher_ = std::thread([this] { watch(); });
}

StopSignals::~StopSignals() {
  quit_.store(true);
  if (watcher_.joinable()) watcher_.join();
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

void StopSignals::watch() {
  const sigset_t set = stop_set();
  const timespec tick{0, 100'000'000};  // 100 ms: how often quit_ and the reader are looked at
  while (!quit_.load()) {
    const int signal = sigtimedwait(&set, nullptr, &tick);
    if (signal > 0) {
      if (received_.load() == 0) {
        received_.store(signal);
        if (on_first_) on_first_(signal);
      } else if (on_again_) {
        on_again_(signal);
      }
    }
    // Until the reader is done, interrupt it on every tick: a single kill
    // could land just before it enters read(2) and be lost.
    if (received_.load() != 0 && !reading_done_.load()) pthread_kill(reader_, SIGUSR1);
  }
}

}  // namespace firehose::cli
