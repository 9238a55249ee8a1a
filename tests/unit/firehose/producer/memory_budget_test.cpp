#include "firehose/producer/memory_budget.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;

// A thread in acquire(bytes), and whether it got through. Should a check
// fail while the thread is still blocked, the budget is cancelled so that
// the test ends instead of hanging in the join.
class BlockedAcquire {
 public:
  BlockedAcquire(MemoryBudget& budget, std::size_t bytes)
      : budget_(budget), thread_([this, bytes] {
          granted_ = budget_.acquire(bytes);
          done_ = true;
        }) {}
  ~BlockedAcquire() {
    if (!done_) budget_.cancel();
    thread_.join();
  }
  // Waits up to `limit` for acquire() to return.
  bool returns_within(std::chrono::milliseconds limit) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done_ && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
    return done_;
  }
  bool granted() const { return granted_; }

 private:
  MemoryBudget& budget_;
  std::atomic<bool> done_{false};
  std::atomic<bool> granted_{false};
  std::thread thread_;
};

// Until `count` callers wait in acquire() (each test's barrier: a release
// before the thread waits would grant it at once and prove nothing).
bool waiters_reach(const MemoryBudget& budget, std::size_t count) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (budget.waiters() < count && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
  return budget.waiters() >= count;
}

TEST(MemoryBudget, TakesWhatFitsAndGivesItBack) {
  MemoryBudget budget(1000);
  EXPECT_TRUE(budget.acquire(600));
  EXPECT_TRUE(budget.try_acquire(400));
  EXPECT_FALSE(budget.try_acquire(1));
  EXPECT_EQ(budget.used(), 1000u);
  budget.release(1000);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryBudget, MoreThanTheWholeBudgetIsGrantedWhenNothingIsHeld) {
  MemoryBudget budget(1000);
  EXPECT_TRUE(budget.acquire(5000));
  EXPECT_FALSE(budget.try_acquire(1));
  {
    BlockedAcquire second(budget, 5000);
    ASSERT_TRUE(waiters_reach(budget, 1));
    budget.release(5000);
    ASSERT_TRUE(second.returns_within(10s));
    EXPECT_TRUE(second.granted());
  }
  EXPECT_EQ(budget.used(), 5000u);
}

// A reader that has to wait is woken once an eighth of the budget more than
// it asked for is free, not as soon as its own bytes fit: woken at each
// answer, it read one request's worth and blocked again.
TEST(MemoryBudget, AWaiterIsWokenOnceAnEighthMoreThanItAskedForIsFree) {
  MemoryBudget budget(8000);
  ASSERT_TRUE(budget.acquire(8000));
  BlockedAcquire reader(budget, 100);
  ASSERT_TRUE(waiters_reach(budget, 1));
  EXPECT_TRUE(budget.mostly_used());
  budget.release(100);  // its 100 bytes fit now
  EXPECT_FALSE(reader.returns_within(50ms));
  budget.release(999);  // 1,099 free: one byte short of 100 + 1,000
  EXPECT_FALSE(reader.returns_within(50ms));
  budget.release(1);
  ASSERT_TRUE(reader.returns_within(10s));
  EXPECT_TRUE(reader.granted());
  EXPECT_EQ(budget.used(), 8000u - 1100u + 100u);
}

// Near the whole budget the slack shrinks to what is left: a waiter for 7,500
// of 8,000 gets through once all 8,000 are free (with an eighth more it
// would ask for more than there is, and it is not granted a byte early).
TEST(MemoryBudget, AWaiterForNearlyTheWholeBudgetGetsThroughOnceItIsFree) {
  MemoryBudget budget(8000);
  ASSERT_TRUE(budget.acquire(1000));
  ASSERT_TRUE(budget.acquire(1000));
  BlockedAcquire reader(budget, 7500);
  ASSERT_TRUE(waiters_reach(budget, 1));
  budget.release(1000);
  EXPECT_FALSE(reader.returns_within(50ms));
  budget.release(1000);
  ASSERT_TRUE(reader.returns_within(10s));
  EXPECT_EQ(budget.used(), 7500u);
}

TEST(MemoryBudget, EveryWaiterGetsThroughOnceThereIsRoomForIt) {
  MemoryBudget budget(8000);
  ASSERT_TRUE(budget.acquire(8000));
  {
    BlockedAcquire small(budget, 100);
    BlockedAcquire large(budget, 3000);
    ASSERT_TRUE(waiters_reach(budget, 2));
    budget.release(1100);  // the small one's room: 100 + 1,000
    ASSERT_TRUE(small.returns_within(10s));
    EXPECT_FALSE(large.returns_within(50ms));
    budget.release(3000);  // 4,000 free: the large one's 3,000 + 1,000
    ASSERT_TRUE(large.returns_within(10s));
  }
  EXPECT_EQ(budget.used(), 8000u - 1100u + 100u - 3000u + 3000u);
}

// While a reader waits for its room, a newcomer needs the same room, not
// only its bytes: callers taking a little at a time cannot keep the reader
// waiting for as long as they put.
TEST(MemoryBudget, ANewcomerDoesNotTakeTheRoomAWaiterWaitsFor) {
  MemoryBudget budget(8000);
  ASSERT_TRUE(budget.acquire(8000));
  BlockedAcquire reader(budget, 3000);  // waits for 4,000 free
  ASSERT_TRUE(waiters_reach(budget, 1));
  budget.release(3500);
  {
    BlockedAcquire newcomer(budget, 100);  // its 100 fit; 100 + 1,000 do too
    ASSERT_TRUE(newcomer.returns_within(10s));
  }
  {
    BlockedAcquire another(budget, 2500);  // 2,500 fit in the 3,400 free, 3,500 do not
    ASSERT_TRUE(waiters_reach(budget, 2));
    EXPECT_TRUE(budget.mostly_used());  // 4,600 of 8,000 used, under three quarters, but put() blocks
    budget.release(100);  // 3,500 free: the newcomer's room, still not the reader's
    ASSERT_TRUE(another.returns_within(10s));
    EXPECT_FALSE(reader.returns_within(50ms));
    budget.release(4000);
    ASSERT_TRUE(reader.returns_within(10s));
  }
  EXPECT_EQ(budget.used(), 8000u - 3500u + 100u - 100u + 2500u - 4000u + 3000u);
}

TEST(MemoryBudget, CancelFailsEveryWaiterAndLaterCalls) {
  MemoryBudget budget(1000);
  ASSERT_TRUE(budget.acquire(1000));
  {
    BlockedAcquire first(budget, 10);
    BlockedAcquire second(budget, 500);
    ASSERT_TRUE(waiters_reach(budget, 2));
    budget.cancel();
    ASSERT_TRUE(first.returns_within(10s));
    ASSERT_TRUE(second.returns_within(10s));
    EXPECT_FALSE(first.granted());
    EXPECT_FALSE(second.granted());
  }
  EXPECT_FALSE(budget.acquire(1));
  EXPECT_FALSE(budget.try_acquire(1));
}

}  // namespace
}  // namespace firehose::producer
