// Thread names: set and read back, long ones cut to what Linux keeps.
#include "core/thread_name.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace firehose::core {
namespace {

// The name a new thread reads back after naming itself `name`.
std::string named_in_a_new_thread(const std::string& name) {
  std::string read_back;
  std::thread([&] {
    name_this_thread(name);
    read_back = this_thread_name();
  }).join();
  return read_back;
}

TEST(ThreadName, IsSetForTheCallingThreadOnly) {
  const std::string before = this_thread_name();
  EXPECT_EQ(named_in_a_new_thread("fh-test"), "fh-test");
  EXPECT_EQ(this_thread_name(), before);
}

TEST(ThreadName, ALongNameIsCutTo15Characters) {
  EXPECT_EQ(named_in_a_new_thread("a-name-longer-than-linux-keeps"), "a-name-longer-t");
}

}  // namespace
}  // namespace firehose::core
