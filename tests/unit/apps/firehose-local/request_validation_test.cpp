#include "request_validation.hpp"

#include <gtest/gtest.h>

#include <string>

namespace firehose::local {
namespace {

// Some parsers recurse per level: a body of 200,000 '[' must be refused before one sees it.
TEST(JsonNesting, CountsObjectsAndArraysOutsideStrings) {
  EXPECT_TRUE(json_nesting_within(R"({"a":[{"b":[1,2]}]})", 4));
  EXPECT_FALSE(json_nesting_within(R"({"a":[{"b":[1,2]}]})", 3));
  EXPECT_TRUE(json_nesting_within(R"({"a":"[[[[[[[[{{{{"})", 1));    // brackets in strings do not count
  EXPECT_TRUE(json_nesting_within(R"({"a":"\"[[[[", "b":[]})", 2));  // nor after an escaped quote
  EXPECT_FALSE(json_nesting_within(std::string(200000, '['), kMaxJsonNesting));
  EXPECT_TRUE(json_nesting_within(std::string(64, '[') + std::string(64, ']'), kMaxJsonNesting));
  EXPECT_FALSE(json_nesting_within(std::string(65, '{'), kMaxJsonNesting));
  EXPECT_TRUE(json_nesting_within("]]]]not json", kMaxJsonNesting));  // malformed: the parser's business
}

}  // namespace
}  // namespace firehose::local
