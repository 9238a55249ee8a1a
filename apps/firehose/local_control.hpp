#pragma once
// firehose-local's control API (docs/firehose-local.md), for `workflow
// --verify`: whether the endpoint is firehose-local, where its data directory
// is, and a flush so that every buffered record is delivered before checking.
// Unsigned plain HTTP on the endpoint's own port; AWS answers neither path.
#include <optional>
#include <string>

#include "firehose/result.hpp"

namespace firehose::cli {

// firehose-local's data directory, when `endpoint_url` is a firehose-local
// (GET /_local/settings answers with "data-dir"); nullopt for anything else.
std::optional<std::string> local_data_dir(const std::string& endpoint_url);

// POST /_local/flush: every buffered record delivered as objects. Errors:
// Transient, "FlushFailed", with firehose-local's answer.
Status flush_local(const std::string& endpoint_url);

}  // namespace firehose::cli
