#pragma once
// Read access to environment variables, injectable so that what depends on
// them (credentials, region, endpoints, retry settings) can be resolved from a
// fixed set instead of the process's: SessionOptions::environment, tests.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace firehose {

// A view of environment variables: the process's, or a fixed map.
class Environment {
 public:
  // The process environment (getenv).
  static Environment process();
  // A fixed set of variables; nothing else is visible.
  static Environment from_map(std::map<std::string, std::string> values);

  // The variable's value, or nullopt when unset. Empty values count as set.
  std::optional<std::string> get(std::string_view name) const;
  // The value when set and non-empty.
  std::optional<std::string> get_non_empty(std::string_view name) const;
  // "true"/"1"/"yes" (any case) -> true; unset or anything else -> false.
  bool get_bool(std::string_view name) const;

  // The home directory ($HOME), used for ~/.aws.
  std::string home() const;

 private:
  bool use_process_ = true;
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace firehose
