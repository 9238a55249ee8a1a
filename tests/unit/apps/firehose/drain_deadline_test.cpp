#include "drain_deadline.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace firehose::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(DrainDeadline, NotArmedHasNoTimeLeftAndNeverFires) {
  std::atomic<int> fired{0};
  {
    DrainDeadline deadline([&] { ++fired; });
    EXPECT_FALSE(deadline.time_left().has_value());
  }
  EXPECT_EQ(fired.load(), 0);
}

TEST(DrainDeadline, FiresOnceWhenTheGraceRunsOut) {
  std::atomic<int> fired{0};
  DrainDeadline deadline([&] { ++fired; });
  deadline.arm(milliseconds(20));
  for (int i = 0; i < 500 && fired.load() == 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(fired.load(), 1);
  EXPECT_EQ(deadline.time_left(), DrainDeadline::Clock::duration::zero());
  deadline.disarm();
  EXPECT_EQ(fired.load(), 1);
}

TEST(DrainDeadline, DisarmedBeforeTheDeadlineNeverFiresAndDoesNotWaitForIt) {
  std::atomic<int> fired{0};
  DrainDeadline deadline([&] { ++fired; });
  deadline.arm(seconds(30));
  const auto left = deadline.time_left();
  ASSERT_TRUE(left.has_value());
  EXPECT_GT(*left, seconds(29));
  EXPECT_LE(*left, seconds(30));
  const auto started = std::chrono::steady_clock::now();
  deadline.disarm();
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(5));
  EXPECT_EQ(fired.load(), 0);
  deadline.arm(milliseconds(0));  // over: nothing starts again
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(fired.load(), 0);
}

TEST(DrainDeadline, OnlyTheFirstArmCounts) {
  // A second Ctrl-C does not restart the grace (it stops at once, elsewhere).
  DrainDeadline deadline([] {});
  deadline.arm(seconds(30));
  deadline.arm(seconds(300));
  ASSERT_TRUE(deadline.time_left().has_value());
  EXPECT_LE(*deadline.time_left(), seconds(30));
}

}  // namespace
}  // namespace firehose::cli
