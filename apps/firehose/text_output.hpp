#pragma once
// The AWS CLI's `--output text`: tab-separated values, one line per object,
// nested lists of objects on lines of their own prefixed by the key in capitals.
#include <string>

#include <nlohmann/json.hpp>

namespace firehose::cli {

std::string to_aws_text(const nlohmann::json& value);

}  // namespace firehose::cli
