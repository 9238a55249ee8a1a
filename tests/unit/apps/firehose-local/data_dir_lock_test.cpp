#include "data_dir_lock.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "local_test_support.hpp"

namespace firehose::local {
namespace {

// Two servers on one data directory delivered each other's spool: the second is refused and told who holds it.
TEST(DataDirLock, OneHolderAtATimeAndTheSecondIsToldWho) {
  testing::TempDir dir;
  std::optional<DataDirLock> first;
  {
    auto acquired = DataDirLock::acquire(dir.path());
    ASSERT_TRUE(acquired.ok());
    first.emplace(std::move(acquired.value()));
  }
  auto second = DataDirLock::acquire(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "DataDirInUse");
  EXPECT_NE(second.error().message.find("pid " + std::to_string(::getpid())), std::string::npos);
  first.reset();  // released: the next one gets it
  EXPECT_TRUE(DataDirLock::acquire(dir.path()).ok());
}

}  // namespace
}  // namespace firehose::local
