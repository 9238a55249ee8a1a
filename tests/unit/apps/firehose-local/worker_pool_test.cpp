// The request workers: every job runs once, the worker idle last takes the
// next job (the warm one), jobs given while all are busy run in order, and
// shutdown runs what waits before it joins.
#include "worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include "core/thread_name.hpp"

namespace firehose::local {
namespace {

void wait_until_idle(WorkerPool& pool, std::size_t workers) {
  while (pool.idle_workers() != workers) std::this_thread::yield();
}

TEST(WorkerPoolTest, EveryJobRunsOnceFromManyThreads) {
  std::atomic<int> runs{0};
  {
    WorkerPool pool(4);
    std::vector<std::thread> givers;
    for (int g = 0; g < 4; ++g) {
      givers.emplace_back([&] {
        for (int i = 0; i < 2500; ++i) pool.enqueue([&runs] { ++runs; });
      });
    }
    for (auto& giver : givers) giver.join();
    pool.shutdown();
  }
  EXPECT_EQ(runs.load(), 10000);
}

TEST(WorkerPoolTest, TheWorkerIdleLastTakesTheNextJob) {
  WorkerPool pool(8);
  wait_until_idle(pool, 8);
  std::set<std::thread::id> workers_used;
  for (int i = 0; i < 50; ++i) {
    std::promise<std::thread::id> ran;
    pool.enqueue([&ran] { ran.set_value(std::this_thread::get_id()); });
    workers_used.insert(ran.get_future().get());
    wait_until_idle(pool, 8);  // back among the idle: the last of them
  }
  // One condition variable for all (cpp-httplib's pool) wakes them in turn: 8 threads here.
  EXPECT_EQ(workers_used.size(), 1u);
}

TEST(WorkerPoolTest, WorkersAreNamed) {
  WorkerPool pool(2);
  std::promise<std::string> name;
  pool.enqueue([&name] { name.set_value(core::this_thread_name()); });
  EXPECT_EQ(name.get_future().get(), "local-worker");
}

TEST(WorkerPoolTest, JobsGivenWhileEveryWorkerIsBusyRunInOrder) {
  WorkerPool pool(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  pool.enqueue([released] { released.wait(); });
  while (pool.idle_workers() != 0) std::this_thread::yield();
  std::vector<int> order;  // written by the one worker only
  std::promise<void> done;
  for (int i = 0; i < 5; ++i) pool.enqueue([&order, i] { order.push_back(i); });
  pool.enqueue([&done] { done.set_value(); });
  release.set_value();
  done.get_future().wait();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(WorkerPoolTest, ShutdownRunsTheJobsWaitingThenDropsLaterOnes) {
  std::atomic<int> runs{0};
  WorkerPool pool(2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  for (int i = 0; i < 2; ++i) pool.enqueue([released, &runs] {
    released.wait();
    ++runs;
  });
  while (pool.idle_workers() != 0) std::this_thread::yield();
  for (int i = 0; i < 3; ++i) pool.enqueue([&runs] { ++runs; });
  std::thread stopper([&pool] { pool.shutdown(); });
  release.set_value();
  stopper.join();
  EXPECT_EQ(runs.load(), 5);
  pool.enqueue([&runs] { ++runs; });
  EXPECT_EQ(runs.load(), 5);
  EXPECT_EQ(pool.idle_workers(), 0u);
}

}  // namespace
}  // namespace firehose::local
