#include "aws/region.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace firehose::aws {

bool is_valid_region_name(std::string_view region) {
  if (region.empty() || region.size() > 63) return false;
  if (region.front() == '-' || region.back() == '-') return false;
  const auto is_label_char = [](unsigned char c) { return std::isalnum(c) != 0 || c == '-'; };
  if (!std::all_of(region.begin(), region.end(), is_label_char)) return false;
  const auto is_digit = [](unsigned char c) { return std::isdigit(c) != 0; };
  return !std::all_of(region.begin(), region.end(), is_digit);
}

Result<std::string> resolve_region(const Environment& env, const SharedConfig& config, const std::string& profile,
                                   const std::optional<std::string>& flag, std::string_view flag_name) {
  std::optional<std::string> region;
  std::string source;
  if (flag && !flag->empty()) {
    region = *flag;
    source = std::string(flag_name);
  } else if (auto from_env = env.get_non_empty("AWS_REGION")) {
    region = std::move(from_env);
    source = "AWS_REGION";
  } else if (auto from_default_env = env.get_non_empty("AWS_DEFAULT_REGION")) {
    region = std::move(from_default_env);
    source = "AWS_DEFAULT_REGION";
  } else if (auto section = config.profile(profile)) {
    if (auto from_profile = section->get("region"); from_profile && !from_profile->empty()) {
      region = std::move(from_profile);
      source = fmt::format("the region setting of profile '{}'", profile);
    }
  }

  if (!region) {
    return make_error(ErrorKind::Config, "NoRegion",
                      fmt::format("You must specify a region. Checked {}, AWS_REGION, AWS_DEFAULT_REGION and "
                                  "the region setting of profile '{}'; set one of them, e.g. {} us-east-1, "
                                  "export AWS_REGION=us-east-1, or `region = us-east-1` under that profile in "
                                  "~/.aws/config.",
                                  flag_name, profile, flag_name));
  }
  if (!is_valid_region_name(*region)) {
    return make_error(ErrorKind::Config, "InvalidRegion",
                      fmt::format("Region '{}' (from {}) is not a valid region name: expected letters, digits and "
                                  "hyphens, e.g. us-east-1.",
                                  *region, source));
  }
  return std::move(*region);
}

}  // namespace firehose::aws
