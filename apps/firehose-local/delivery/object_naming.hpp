#pragma once
// How the S3 destination names objects, and where such an object lives in the
// data directory. Key = <evaluated prefix><stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>[.gz],
// times in UTC, taken from the oldest record in the object.
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "delivery/delivery.hpp"
#include "firehose/result.hpp"

namespace firehose::local {

// A prefix without expressions gets the default time prefix appended as is,
// "YYYY/MM/DD/HH/", even when it does not end in '/' ("logs" ->
// "logs2024/05/01/13/"), as the service does. A prefix with !{...}
// expressions replaces the default: !{timestamp:<Java DateTimeFormatter
// pattern>} (letters y M d H m s, quoted literals) and !{firehose:random-string}
// are evaluated; other expressions are kept verbatim.
std::string evaluate_prefix(std::string_view prefix, std::chrono::system_clock::time_point oldest,
                            std::string_view random_string);

std::string object_key(const StreamDestination& destination, std::chrono::system_clock::time_point oldest,
                       std::string_view uuid, std::string_view random_string);

// DATA_DIR/<bucket>/<key>. Key components "." and ".." are stored as "%2E"
// and "%2E%2E" and empty components are dropped, so no key escapes the bucket
// directory. An error for a bucket name that is not a single path component.
Result<std::filesystem::path> object_file_path(const std::filesystem::path& data_dir, std::string_view bucket,
                                               std::string_view key);

// A random (version 4) UUID in its 36-character text form.
std::string random_uuid();
// 11 random lower-case letters and digits, for !{firehose:random-string}.
std::string random_string();

}  // namespace firehose::local
