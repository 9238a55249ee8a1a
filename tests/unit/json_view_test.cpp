#include "aws/json_view.hpp"

#include <gtest/gtest.h>

namespace firehose::aws::json_view {
namespace {

TEST(JsonView, ReadsObjectsArraysAndScalars) {
  const std::string text = R"( {"a": [1, -2.5e3, true, false, null, "x"], "b": {"c": "d"}, "e": []} )";
  auto doc = Document::parse(text);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const Value& root = doc->root();
  ASSERT_TRUE(root.is_object());
  const Value* a = root.find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->items.size(), 6u);
  EXPECT_EQ(a->items[1].text, "-2.5e3");
  EXPECT_TRUE(a->items[2].boolean);
  EXPECT_TRUE(a->items[4].is_null());
  EXPECT_EQ(a->items[5].text, "x");
  EXPECT_EQ(root.find("b")->find("c")->text, "d");
  EXPECT_TRUE(root.find("e")->items.empty());
  EXPECT_EQ(root.find("zz"), nullptr);
}

TEST(JsonView, StringsWithoutEscapesAreViewsIntoTheText) {
  const std::string text = R"({"Data":"aGVsbG8="})";
  auto doc = Document::parse(text);
  ASSERT_TRUE(doc.ok());
  const std::string_view data = doc->root().find("Data")->text;
  EXPECT_EQ(data, "aGVsbG8=");
  EXPECT_GE(data.data(), text.data());
  EXPECT_LT(data.data(), text.data() + text.size());
}

TEST(JsonView, DecodesEscapes) {
  auto doc = Document::parse(R"(["a\/b\"\\\n\u00e9\ud83d\ude00"])");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->root().items[0].text, "a/b\"\\\n\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(JsonView, RejectsMalformedJson) {
  for (const char* bad : {"", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "{\"a\":01}", "{\"a\":\"\x01\"}", "\"abc",
                          "{\"a\":tru}", "[1] x", "{'a':1}", "[\"\\x\"]", "[\"\\ud800\"]", "[-]", "[1.]", "[1e]"}) {
    auto doc = Document::parse(bad);
    ASSERT_FALSE(doc.ok()) << bad;
    EXPECT_EQ(doc.error().code, "SerializationException");
  }
}

TEST(JsonView, DeepNestingIsRefusedNotACrash) {
  std::string deep(100000, '[');
  auto doc = Document::parse(deep);
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("deeply"), std::string::npos);
}

}  // namespace
}  // namespace firehose::aws::json_view
