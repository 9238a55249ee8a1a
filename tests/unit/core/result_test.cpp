// Result<T>'s accessors on a temporary move its value out, as std::expected's do.
#include "firehose/result.hpp"

#include <memory>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>

namespace firehose {
namespace {

Result<std::unique_ptr<std::string>> make_owned(std::string text) {
  return std::make_unique<std::string>(std::move(text));
}

static_assert(std::is_same_v<decltype(*make_owned("")), std::unique_ptr<std::string>&&>);
static_assert(std::is_same_v<decltype(make_owned("").value()), std::unique_ptr<std::string>&&>);

TEST(Result, DereferencingATemporaryMovesAMoveOnlyValueOut) {
  // Before operator*() &&, this bound a const unique_ptr& and did not compile.
  auto owned = std::move(*make_owned("moved"));
  ASSERT_NE(owned, nullptr);
  EXPECT_EQ(*owned, "moved");
  auto by_value = make_owned("by value").value();
  EXPECT_EQ(*by_value, "by value");
}

TEST(Result, MovingOutOfANamedResultLeavesItsValueMovedFrom) {
  auto result = make_owned("named");
  auto taken = *std::move(result);
  EXPECT_EQ(*taken, "named");
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(*result, nullptr);
}

}  // namespace
}  // namespace firehose
