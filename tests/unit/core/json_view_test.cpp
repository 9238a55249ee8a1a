#include "core/json_view.hpp"

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

// Strings are scanned eight bytes at a time: a quote, backslash or control
// character must be found at every position of the word and of the tail,
// and bytes above 0x7F (UTF-8) must not be mistaken for any of them.
TEST(JsonView, FindsSpecialCharactersAtEveryPositionOfAString) {
  for (std::size_t length = 0; length < 40; ++length) {
    std::string plain;
    for (std::size_t i = 0; i < length; ++i) plain.push_back(i % 3 == 0 ? '\xe9' : static_cast<char>('a' + i % 26));
    // The texts outlive their documents: strings are views into them.
    const std::string plain_text = "[\"" + plain + "\"]";
    auto doc = Document::parse(plain_text);
    ASSERT_TRUE(doc.ok()) << length;
    EXPECT_EQ(doc->root().items[0].text, plain) << length;
    for (std::size_t at = 0; at <= length; ++at) {
      std::string escaped = plain;
      escaped.insert(at, "\\\"");
      std::string expected = plain;
      expected.insert(at, "\"");
      const std::string escaped_text = "[\"" + escaped + "\",1]";
      auto with_escape = Document::parse(escaped_text);
      ASSERT_TRUE(with_escape.ok()) << length << " " << at;
      EXPECT_EQ(with_escape->root().items[0].text, expected) << length << " " << at;
      EXPECT_EQ(with_escape->root().items[1].text, "1");

      std::string control = plain;
      control.insert(at, 1, '\x1f');
      EXPECT_FALSE(Document::parse("[\"" + control + "\"]").ok()) << length << " " << at;
      std::string early_end = plain;
      early_end.insert(at, "\",\"");
      const std::string split_text = "[\"" + early_end + "\"]";
      auto split = Document::parse(split_text);
      ASSERT_TRUE(split.ok()) << length << " " << at;
      EXPECT_EQ(split->root().items[0].text, plain.substr(0, at));
    }
  }
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


// The cursor reads what Document::parse reads, front to back.
std::string walk(std::string_view text) {
  Cursor cursor(text);
  std::string out;
  if (auto object = cursor.begin_object(); !object) return "error: " + object.error().message;
  for (;;) {
    auto key = cursor.next_member();
    if (!key) return "error: " + key.error().message;
    if (!*key) break;
    out += std::string(**key) + "=";
    if (**key == "list") {
      if (auto array = cursor.begin_array(); !array) return "error: " + array.error().message;
      for (;;) {
        auto more = cursor.next_item();
        if (!more) return "error: " + more.error().message;
        if (!*more) break;
        Value item;
        if (auto read = cursor.value(item); !read) return "error: " + read.error().message;
        out += std::string(item.text) + ",";
      }
    } else {
      Value value;
      if (auto read = cursor.value(value); !read) return "error: " + read.error().message;
      out += std::string(describe(value.type)) + ";";
    }
  }
  if (auto end = cursor.end(); !end) return "error: " + end.error().message;
  return out;
}

TEST(JsonViewCursor, ReadsMembersAndItemsInOrderAndSkipsWhatItIsNotAskedAbout) {
  EXPECT_EQ(walk(R"( { "a" : {"x":[1,{"y":null}]}, "list" : [ "p" , "q\n" ,3 ] , "b":true } )"),
            "a=an object;list=p,q\n,3,b=a boolean;");
  EXPECT_EQ(walk("{}"), "");
  EXPECT_EQ(walk(R"({"list":[]})"), "list=");
}

TEST(JsonViewCursor, KeepsDecodedStringsForTheCaller) {
  const std::string text = R"({"k":"a\u00e9"})";
  Cursor cursor(text);
  ASSERT_TRUE(cursor.begin_object().ok());
  auto key = cursor.next_member();
  ASSERT_TRUE(key.ok() && key->has_value());
  Value value;
  ASSERT_TRUE(cursor.value(value).ok());
  auto decoded = cursor.take_decoded();
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(value.text, "a\xc3\xa9");
  EXPECT_EQ(value.text.data(), decoded[0]->data());
}

TEST(JsonViewCursor, RejectsWhatDocumentParseRejects) {
  for (const char* bad : {"", "{", R"({"a"})", R"({"a":1,})", R"({"list":[1,]})", R"({"list":[1 2]})",
                          R"({"a":1 "b":2})", "[1]", R"({"list":{}})", R"({"a":01})", R"({"a":1} x)",
                          R"({"list":[1})"}) {
    EXPECT_EQ(walk(bad).rfind("error: ", 0), 0u) << bad << " read as " << walk(bad);
  }
}

}  // namespace
}  // namespace firehose::aws::json_view
