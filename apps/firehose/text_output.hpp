#pragma once
// The AWS CLI's `--output text` (awscli/text.py): tab-separated values, one
// line per object, nested objects and lists of objects on lines of their own
// prefixed by the key in capitals, and a list of scalars one line per scalar
// ("DELIVERYSTREAMNAMES\tname"); an empty list prints nothing.
#include <string>

#include <nlohmann/json.hpp>

namespace firehose::cli {

std::string to_aws_text(const nlohmann::json& value);

}  // namespace firehose::cli
