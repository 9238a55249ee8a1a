#include "aws/credentials/credentials_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/timestamp.hpp"

namespace firehose::aws {
namespace {

Error invalid(const std::string& source, const std::string& why) {
  return make_error(ErrorKind::Client, "InvalidCredentialsDocument", fmt::format("{}: {}", source, why));
}

// The string at `key`, or nullopt when absent; a non-string value is an error.
Result<std::optional<std::string>> string_field(const nlohmann::json& doc, const std::string& key,
                                                const std::string& source) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return invalid(source, fmt::format("'{}' is not a string", key));
  return std::optional<std::string>{it->get<std::string>()};
}

}  // namespace

Result<Credentials> parse_credentials_json(std::string_view body, const CredentialsJsonFormat& format,
                                           const std::string& source) {
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return invalid(source, "the answer is not a JSON object");

  Credentials creds;
  struct Wanted {
    const std::string key;
    std::string* target;
    bool required;
  };
  const Wanted wanted[] = {
      {"AccessKeyId", &creds.access_key_id, true},
      {"SecretAccessKey", &creds.secret_access_key, true},
      {format.session_token_key, &creds.session_token, format.session_token_required},
  };
  for (const auto& w : wanted) {
    auto value = string_field(doc, w.key, source);
    if (!value) return value.error();
    if (!value->has_value() || (*value)->empty()) {
      if (w.required) return invalid(source, fmt::format("'{}' is missing", w.key));
      continue;
    }
    *w.target = std::move(**value);
  }

  auto expiration = string_field(doc, "Expiration", source);
  if (!expiration) return expiration.error();
  if (expiration->has_value() && !(*expiration)->empty()) {
    auto parsed = parse_iso8601(**expiration);
    if (!parsed) return invalid(source, parsed.error().message);
    creds.expiration = *parsed;
  } else if (format.expiration_required) {
    return invalid(source, "'Expiration' is missing");
  }
  return creds;
}

}  // namespace firehose::aws
