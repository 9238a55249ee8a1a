#include "firehose/producer/memory_budget.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace firehose::producer {
namespace {

using namespace std::chrono_literals;

// A thread blocked in acquire(bytes), and whether it got through.
class BlockedAcquire {
 public:
  BlockedAcquire(MemoryBudget& budget, std::size_t bytes)
      : thread_([this, &budget, bytes] {
          granted_ = budget.acquire(bytes);
          done_ = true;
        }) {}
  ~BlockedAcquire() { thread_.join(); }
  // Waits up to `limit` for acquire() to return.
  bool returns_within(std::chrono::milliseconds limit) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done_ && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
    return done_;
  }
  bool granted() const { return granted_; }

 private:
  std::atomic<bool> done_{false};
  std::atomic<bool> granted_{false};
  std::thread thread_;
};

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
    EXPECT_FALSE(second.returns_within(50ms));
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
  EXPECT_FALSE(reader.returns_within(50ms));
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
// of 8,000 waits for all 8,000 to be free, never for more than there is.
TEST(MemoryBudget, TheSlackNeverAsksForMoreThanTheBudget) {
  MemoryBudget budget(8000);
  ASSERT_TRUE(budget.acquire(1000));
  ASSERT_TRUE(budget.acquire(1000));
  BlockedAcquire reader(budget, 7500);
  EXPECT_FALSE(reader.returns_within(50ms));
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
    std::this_thread::sleep_for(20ms);  // both waiting (not required for the outcome)
    budget.release(1100);               // the small one's room: 100 + 1,000
    ASSERT_TRUE(small.returns_within(10s));
    EXPECT_FALSE(large.returns_within(50ms));
    budget.release(3000);  // 4,000 free: the large one's 3,000 + 1,000
    ASSERT_TRUE(large.returns_within(10s));
  }
  EXPECT_EQ(budget.used(), 8000u - 1100u + 100u - 3000u + 3000u);
}

TEST(MemoryBudget, CancelFailsEveryWaiterAndLaterCalls) {
  MemoryBudget budget(1000);
  ASSERT_TRUE(budget.acquire(1000));
  {
    BlockedAcquire first(budget, 10);
    BlockedAcquire second(budget, 500);
    EXPECT_FALSE(first.returns_within(20ms));
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
