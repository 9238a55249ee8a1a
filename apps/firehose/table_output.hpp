#pragma once
// The AWS CLI's `--output table`: a response drawn as boxed sections, titled
// with the operation's name, scalars as a header row over a value row (keys
// sorted), nested objects and lists as indented sections of their own. The
// layout follows the AWS CLI's table formatter so that scripts and eyes used to
// `aws firehose ... --output table` read ours the same way.
#include <string>

#include <nlohmann/json.hpp>

namespace firehose::cli {

// `title` is the operation's name (e.g. "ListDeliveryStreams"). Sections wider
// than `terminal_width` are turned vertical (one key/value pair a row), as the
// AWS CLI does. An empty response renders nothing.
std::string to_aws_table(const std::string& title, const nlohmann::json& response, int terminal_width = 80);

}  // namespace firehose::cli
