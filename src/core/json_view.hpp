#pragma once
// A JSON reader for the put path, both ends of it. PutRecordBatch requests
// are up to several MiB of base64 strings (firehose-local reads them) and
// their answers hold 500 RecordIds of 224 characters (the producer reads
// them): a full DOM (nlohmann) parses at about 85 MB/s and copies every
// string, which made it the largest cost of either side. This reader builds
// a light tree whose strings are views into the text (only strings with
// escapes are copied), strictly per RFC 8259.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/result.hpp"

namespace firehose::aws::json_view {

struct Member;

struct Value {
  enum class Type { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  bool boolean = false;
  std::string_view text;        // String: the decoded characters; Number: the literal
  std::vector<Value> items;     // Array
  std::vector<Member> members;  // Object, in document order

  bool is_null() const { return type == Type::Null; }
  bool is_string() const { return type == Type::String; }
  bool is_object() const { return type == Type::Object; }
  bool is_array() const { return type == Type::Array; }
  // The first member with this key, or nullptr.
  const Value* find(std::string_view key) const;
};

struct Member {
  std::string_view key;
  Value value;
};

// What the JSON types are called in messages ("a string", "an array").
const char* describe(Value::Type type);

class Document {
 public:
  // Errors: ErrorKind::Client, code SerializationException, message with the offset.
  // The text must outlive the document: strings are views into it.
  static Result<Document> parse(std::string_view text);
  const Value& root() const { return root_; }

 private:
  friend class Parser;
  friend class Cursor;
  Value root_;
  std::vector<std::unique_ptr<std::string>> decoded_;  // strings that had escapes
};

class Parser;

// Reads a document front to back without building a tree, for callers that
// know the shape to expect: the producer reads each PutRecordBatch answer
// entry straight into its place (the tree cost an allocation per entry).
// As strict as Document::parse; values the caller does not ask about are
// read with value() and dropped. Errors as Document::parse's.
class Cursor {
 public:
  explicit Cursor(std::string_view text);  // the text must outlive the views
  ~Cursor();
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  Status begin_object();  // the next value must be an object
  // The next member's name (its value comes next), or nothing once the
  // object's '}' is read.
  Result<std::optional<std::string_view>> next_member();
  Status begin_array();  // the next value must be an array
  // True when an item comes next; false once the array's ']' is read.
  Result<bool> next_item();
  // The next value: scalars as views, arrays and objects as a tree.
  Status value(Value& out);
  // Only whitespace may be left.
  Status end();
  // The decoded copies of strings that had escapes: views point into them.
  std::vector<std::unique_ptr<std::string>> take_decoded();

 private:
  Status begin(char open, std::string_view expected);
  Result<bool> next(char close);

  std::unique_ptr<Document> storage_;
  std::unique_ptr<Parser> parser_;
  std::vector<bool> first_;  // per open container: nothing read in it yet
};

}  // namespace firehose::aws::json_view
