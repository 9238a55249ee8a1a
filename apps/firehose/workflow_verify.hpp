#pragma once
// `workflow --verify`: after sending, checks that every record arrived once
// (verify_run.hpp), where the stream delivers. Against firehose-local at once
// (flushed first; its data directory is read); against S3 after the stream's
// buffering interval (a wait message says so), or, with --verify-wait 0, not
// at all: the `firehose verify` command to run later is printed instead.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "firehose/firehose_client.hpp"
#include "firehose/session.hpp"
#include "workflow_input.hpp"

namespace firehose::cli {

struct WorkflowVerifyRequest {
  std::string stream;
  WorkflowInput input;
  std::string dead_letter;  // the run's dead-letter file, if any
  std::chrono::system_clock::time_point run_started;
  std::optional<std::chrono::seconds> wait;  // S3: unset = the buffering interval + 30 s
  std::chrono::milliseconds progress_interval{10'000};
};

struct WorkflowVerifyOutcome {
  std::optional<nlohmann::ordered_json> report;  // the verify report, when it ran
  std::uint64_t missing = 0;
  std::optional<Error> error;  // it could not run (the stream's destination, S3 ...)
  std::string later_command;   // when it was put off: what to run later
};

// Where firehose-local keeps the objects of `bucket` whose keys start with
// `key_prefix`, as a path under its data directory: its rule for turning a
// key into a path (apps/firehose-local/delivery/object_naming.hpp) applied
// to the prefix. Empty components are dropped ("/logs/" is "logs/"), and
// the components "." and ".." are stored as "%2E" and "%2E%2E". A last
// component the prefix ends inside is kept as it is.
std::string stored_path_prefix(std::string_view bucket, std::string_view key_prefix);

// `stopping` (Ctrl-C, SIGTERM) ends the wait for S3: the command is printed instead.
WorkflowVerifyOutcome verify_workflow_run(const WorkflowVerifyRequest& request, const std::shared_ptr<Session>& session,
                                          const FirehoseClient& client, const std::function<bool()>& stopping);

}  // namespace firehose::cli
