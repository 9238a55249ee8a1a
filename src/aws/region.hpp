#pragma once
// Which AWS region a command talks to, found the way the AWS CLI finds it.
#include <optional>
#include <string>
#include <string_view>

#include "aws/config_file.hpp"
#include "aws/environment.hpp"
#include "firehose/result.hpp"

namespace firehose::aws {

// The first non-empty of: the explicit option (`flag`, which messages call
// `flag_name`), AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`. No region at all is a Config error "NoRegion";
// a region that cannot be a DNS label (it becomes part of the host name) is a Config error "InvalidRegion".
Result<std::string> resolve_region(const Environment& env, const SharedConfig& config, const std::string& profile,
                                   const std::optional<std::string>& flag,
                                   std::string_view flag_name = "SessionOptions::region");

// True when `region` can be spliced into a host name: 1..63 letters, digits
// and hyphens, not starting or ending with a hyphen, not all digits (the test
// botocore applies before building a client).
bool is_valid_region_name(std::string_view region);

}  // namespace firehose::aws
