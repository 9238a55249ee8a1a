// Thread names: set and read back, long ones cut to what Linux keeps.
#include "core/thread_name.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace firehose::core {
namespace {

TEST(ThreadName, IsSetForTheCallingThreadOnly) {
  const std::string before = this_thread_name();
  std::string inside;
  std::thread([&inside] {
    name_this_thread("fh-test");
    inside = this_thread_name();
  }).join();
  EXPECT_EQ(inside, "fh-test");
  EXPECT_EQ(this_thread_name(), before);
}

TEST(ThreadName, ALongNameIsCutTo15Characters) {
  std::string inside;
  std::thread([&inside] {
    name_this_thread("a-name-longer-than-linux-keeps");
    inside = this_thread_name();
  }).join();
  EXPECT_EQ(inside, "a-name-longer-t");
}

}  // namespace
}  // namespace firehose::core
