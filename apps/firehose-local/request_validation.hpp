#pragma once
// How the service words a request it refuses before looking at it: the
// model's constraints checked in one pass and reported together, as AWS's
// front end (Coral) does:
//   ValidationException: 2 validation errors detected: Value 'a b' at
//   'deliveryStreamName' failed to satisfy constraint: Member must satisfy
//   regular expression pattern: [a-zA-Z0-9_.-]+; Value null at 'records' ...
// Paths are the member names with a lower-case first letter, list members
// are 'records.<1-based index>.member.data'.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "firehose/result.hpp"

namespace firehose::local {

class ValidationErrors {
 public:
  // `value` is already rendered: "'text'", "null", "'5'".
  void add(std::string_view value, std::string_view path, std::string_view constraint);
  void not_null(std::string_view path);
  void min_length(std::string_view value, std::string_view path, std::size_t min);
  void max_length(std::string_view value, std::string_view path, std::size_t max);
  void min_value(std::string_view value, std::string_view path, long long min);
  void max_value(std::string_view value, std::string_view path, long long max);
  void pattern(std::string_view value, std::string_view path, std::string_view pattern);
  void enum_set(std::string_view value, std::string_view path, std::initializer_list<std::string_view> allowed);

  bool empty() const { return messages_.empty(); }
  std::size_t size() const { return messages_.size(); }
  // ValidationException (ErrorKind::Client, HTTP 400) listing every message.
  Error error() const;

 private:
  std::vector<std::string> messages_;
};

// 'text' as the messages quote a string value.
std::string quote_value(std::string_view text);
// How the service renders a blob of `size` bytes in messages.
std::string blob_value(std::size_t size);

// Checks a DeliveryStreamName member (required or not) against the model:
// length 1..64 and the pattern [a-zA-Z0-9_.-]+.
void check_stream_name(ValidationErrors& errors, std::string_view path, const std::optional<std::string>& name,
                       bool required);
// Length, pattern (a full match of `regex`) and presence of a string member.
void check_string(ValidationErrors& errors, std::string_view path, const std::optional<std::string>& value,
                  bool required, std::size_t min, std::size_t max, std::string_view regex = {});
void check_integer(ValidationErrors& errors, std::string_view path, const std::optional<long long>& value,
                   bool required, long long min, long long max);
void check_enum(ValidationErrors& errors, std::string_view path, const std::optional<std::string>& value, bool required,
                std::initializer_list<std::string_view> allowed);

// Errors of the service's own checks (HTTP 400).
Error serialization_error(std::string message);
Error invalid_argument(std::string message);

// Typed access to members of a request object (nlohmann, for the control-plane
// operations). Absent and null members read as nullopt / nullptr; a member of
// another JSON type is a SerializationException, as the service answers.
Result<std::optional<std::string>> string_member(const nlohmann::json& object, const char* key);
Result<std::optional<long long>> integer_member(const nlohmann::json& object, const char* key);
Result<std::optional<bool>> bool_member(const nlohmann::json& object, const char* key);
Result<const nlohmann::json*> object_member(const nlohmann::json& object, const char* key);
Result<const nlohmann::json*> array_member(const nlohmann::json& object, const char* key);

// Requests nest objects and arrays a few levels deep; a body nested deeper than
// this is refused before any parser (some recurse per level) sees it, or by
// the put path's parser itself (simdjson's depth limit).
inline constexpr std::size_t kMaxJsonNesting = 64;
// Whether no object or array in `body` is nested deeper than `limit` (strings
// and their escapes skipped; the text need not be valid JSON).
bool json_nesting_within(std::string_view body, std::size_t limit);
// The SerializationException message for a body nested deeper than kMaxJsonNesting.
std::string too_deep_message();

// The JSON body of a request: an object, else a SerializationException.
Result<nlohmann::json> parse_request_object(std::string_view body);

}  // namespace firehose::local
