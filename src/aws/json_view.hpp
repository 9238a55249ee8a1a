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
  Value root_;
  std::vector<std::unique_ptr<std::string>> decoded_;  // strings that had escapes
};

}  // namespace firehose::aws::json_view
