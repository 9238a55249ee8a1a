#include "worker_pool.hpp"

#include <algorithm>

#include "core/thread_name.hpp"

namespace firehose::local {

WorkerPool::WorkerPool(std::size_t threads) {
  workers_.reserve(threads);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>());
    threads_.emplace_back([this, worker = workers_.back().get()] {
      core::name_this_thread("local-worker");
      run(*worker);
    });
  }
}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::enqueue(std::function<void()> job) {
  std::unique_lock lock(mutex_);
  if (stopping_) return;
  if (idle_.empty()) {
    waiting_.push_back(std::move(job));
    return;
  }
  Worker* worker = idle_.back();
  idle_.pop_back();
  worker->job = std::move(job);
  lock.unlock();
  worker->wake.notify_one();
}

void WorkerPool::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (Worker* worker : idle_) worker->wake.notify_one();
  }
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

std::size_t WorkerPool::idle_workers() {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

void WorkerPool::run(Worker& self) {
  std::unique_lock lock(mutex_);
  while (true) {
    std::function<void()> job;
    if (!waiting_.empty()) {
      job = std::move(waiting_.front());
      waiting_.pop_front();
    } else if (stopping_) {
      return;
    } else {
      idle_.push_back(&self);
      self.wake.wait(lock, [&] { return self.job || stopping_; });
      if (!self.job) {
        // Stopping: out of the idle list, so that nothing is handed to a worker gone.
        idle_.erase(std::find(idle_.begin(), idle_.end(), &self));
        continue;  // jobs still waiting are run first
      }
      job = std::move(self.job);
      self.job = nullptr;
    }
    lock.unlock();
    job();
    job = nullptr;  // what the job captured is released outside the lock
    lock.lock();
  }
}

}  // namespace firehose::local
