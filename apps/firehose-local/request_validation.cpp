#include "request_validation.hpp"

#include <algorithm>
#include <limits>
#include <regex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "firehose/limits.hpp"
#include "protocol/firehose.hpp"

namespace firehose::local {
namespace {

// The token names the service's JSON reader uses in its type errors.
const char* token_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string: return "STRING_VALUE";
    case nlohmann::json::value_t::boolean: return "BOOLEAN_VALUE";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "NUMBER_VALUE";
    case nlohmann::json::value_t::array: return "START_ARRAY";
    case nlohmann::json::value_t::object: return "START_OBJECT";
    default: return "VALUE";
  }
}

Error type_error(const nlohmann::json& value, const char* expected) {
  return serialization_error(fmt::format("{} can not be converted to {}", token_name(value), expected));
}

bool stream_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

void ValidationErrors::add(std::string_view value, std::string_view path, std::string_view constraint) {
  messages_.push_back(fmt::format("Value {} at '{}' failed to satisfy constraint: {}", value, path, constraint));
}

void ValidationErrors::not_null(std::string_view path) { add("null", path, "Member must not be null"); }

void ValidationErrors::min_length(std::string_view value, std::string_view path, std::size_t min) {
  add(value, path, fmt::format("Member must have length greater than or equal to {}", min));
}

void ValidationErrors::max_length(std::string_view value, std::string_view path, std::size_t max) {
  add(value, path, fmt::format("Member must have length less than or equal to {}", max));
}

void ValidationErrors::min_value(std::string_view value, std::string_view path, long long min) {
  add(value, path, fmt::format("Member must have value greater than or equal to {}", min));
}

void ValidationErrors::max_value(std::string_view value, std::string_view path, long long max) {
  add(value, path, fmt::format("Member must have value less than or equal to {}", max));
}

void ValidationErrors::pattern(std::string_view value, std::string_view path, std::string_view pattern) {
  add(value, path, fmt::format("Member must satisfy regular expression pattern: {}", pattern));
}

void ValidationErrors::enum_set(std::string_view value, std::string_view path,
                                std::initializer_list<std::string_view> allowed) {
  add(value, path, fmt::format("Member must satisfy enum value set: [{}]", fmt::join(allowed, ", ")));
}

Error ValidationErrors::error() const {
  const std::string head = messages_.size() == 1 ? "1 validation error detected: "
                                                 : fmt::format("{} validation errors detected: ", messages_.size());
  return make_error(ErrorKind::Client, "ValidationException", head + fmt::format("{}", fmt::join(messages_, "; ")),
                    400);
}

std::string quote_value(std::string_view text) { return fmt::format("'{}'", text); }

std::string blob_value(std::size_t size) {
  // The service is written in Java; its messages print a blob as the ByteBuffer holding it.
  return fmt::format("'java.nio.HeapByteBuffer[pos=0 lim={} cap={}]'", size, size);
}

void check_stream_name(ValidationErrors& errors, std::string_view path, const std::optional<std::string>& name,
                       bool required) {
  if (!name) {
    if (required) errors.not_null(path);
    return;
  }
  if (protocol::validate_stream_name(*name).ok()) return;
  // The shared rule said no; report each constraint the way the model states it.
  if (name->size() < limits::kMinStreamNameLength)
    errors.min_length(quote_value(*name), path, limits::kMinStreamNameLength);
  if (name->size() > limits::kMaxStreamNameLength)
    errors.max_length(quote_value(*name), path, limits::kMaxStreamNameLength);
  if (name->empty() || !std::all_of(name->begin(), name->end(), stream_name_char)) {
    errors.pattern(quote_value(*name), path, "[a-zA-Z0-9_.-]+");
  }
}

void check_string(ValidationErrors& errors, std::string_view path, const std::optional<std::string>& value,
                  bool required, std::size_t min, std::size_t max, std::string_view regex) {
  if (!value) {
    if (required) errors.not_null(path);
    return;
  }
  if (value->size() < min) errors.min_length(quote_value(*value), path, min);
  if (value->size() > max) errors.max_length(quote_value(*value), path, max);
  if (!regex.empty() && value->size() <= max) {
    const std::regex re{std::string(regex)};
    if (!std::regex_match(*value, re)) errors.pattern(quote_value(*value), path, regex);
  }
}

void check_integer(ValidationErrors& errors, std::string_view path, const std::optional<long long>& value,
                   bool required, long long min, long long max) {
  if (!value) {
    if (required) errors.not_null(path);
    return;
  }
  if (*value < min) errors.min_value(quote_value(std::to_string(*value)), path, min);
  if (*value > max) errors.max_value(quote_value(std::to_string(*value)), path, max);
}

void check_enum(ValidationErrors& errors, std::string_view path, const std::optional<std::string>& value, bool required,
                std::initializer_list<std::string_view> allowed) {
  if (!value) {
    if (required) errors.not_null(path);
    return;
  }
  if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
    errors.enum_set(quote_value(*value), path, allowed);
  }
}

Error serialization_error(std::string message) {
  return make_error(ErrorKind::Client, "SerializationException", std::move(message), 400);
}

Error invalid_argument(std::string message) {
  return make_error(ErrorKind::Client, "InvalidArgumentException", std::move(message), 400);
}

Result<std::optional<std::string>> string_member(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return type_error(*it, "a String");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<long long>> integer_member(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<long long>();
  if (it->is_number_integer()) return std::optional<long long>(it->get<long long>());
  if (it->is_number_unsigned()) {
    // Beyond long long: clamp, the range check reports it.
    return std::optional<long long>(std::numeric_limits<long long>::max());
  }
  return type_error(*it, "an Integer");
}

Result<std::optional<bool>> bool_member(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return type_error(*it, "a Boolean");
  return std::optional<bool>(it->get<bool>());
}

Result<const nlohmann::json*> object_member(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return static_cast<const nlohmann::json*>(nullptr);
  if (!it->is_object()) return type_error(*it, "a Structure");
  return &*it;
}

Result<const nlohmann::json*> array_member(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return static_cast<const nlohmann::json*>(nullptr);
  if (!it->is_array()) return type_error(*it, "a List");
  return &*it;
}

bool json_nesting_within(std::string_view body, std::size_t limit) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return true;
}

std::string too_deep_message() {
  return fmt::format("The request body nests objects and arrays deeper than {} levels", kMaxJsonNesting);
}

Result<nlohmann::json> parse_request_object(std::string_view body) {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return serialization_error("Malformed JSON in the request body");
  if (!parsed.is_object()) return type_error(parsed, "a Structure");
  return parsed;
}

}  // namespace firehose::local
