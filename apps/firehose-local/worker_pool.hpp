#pragma once
// The threads that answer requests, woken last-idle-first.
//
// cpp-httplib's ThreadPool has every worker wait on one condition variable,
// and glibc wakes its waiters in about the order they began to wait: under a
// steady load each request went to the worker idle the longest, so all 128
// took turns, each with a cold stack and its own malloc arena (a request's
// ~1.3 MB of buffers were reused from 16 arenas, never warm in cache). Here
// the worker that finished last takes the next request: a client with 16
// requests in flight keeps about 16 workers busy and the rest asleep. The
// same load cost the server 16 % less CPU with 8 threads instead of 128
// (docs/benchmarks.md, "firehose-local CPU"); this keeps the 128
// for slow clients and takes the warm ones first.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace firehose::local {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `job` on the worker that became idle last, or, when every worker is
  // busy, on the first to finish (jobs waiting run in the order given).
  void enqueue(std::function<void()> job);
  // Runs the jobs still waiting, then ends every worker and joins it. Jobs
  // given after this are dropped unrun (the caller's stop has begun).
  void shutdown();

  // Workers waiting for a job now.
  std::size_t idle_workers();

 private:
  struct Worker {
    std::condition_variable wake;
    std::function<void()> job;  // handed over by enqueue() while the worker is idle
  };
  void run(Worker& self);

  std::mutex mutex_;                        // guards everything below but threads_
  std::vector<Worker*> idle_;               // the back one became idle last
  std::deque<std::function<void()>> waiting_;  // jobs given while no worker was idle
  bool stopping_ = false;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace firehose::local
