#include "workflow_verify.hpp"

#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "duration_arg.hpp"
#include "local_control.hpp"
#include "logging.hpp"
#include "verify_run.hpp"

namespace firehose::cli {
namespace {

// The workflow's generated records, generated again for each pass.
class GeneratedRecords final : public SentRecords {
 public:
  explicit GeneratedRecords(WorkflowInput input) : input_(std::move(input)) {}
  Status for_each(const OnLine& on_line, const std::function<bool()>& keep_going) override {
    LineSource source{"generated", 0};
    bool stop = false;
    return for_each_input_record(
        input_, [&] { return stop; },
        [&](std::string_view record) {
          ++source.line;
          if (!record.empty() && record.back() == '\n') record.remove_suffix(1);
          on_line(record, source);
          stop = !keep_going();
        });
  }
  std::uint64_t size_bytes() const override { return 0; }

 private:
  WorkflowInput input_;
};

// Where the stream delivers, from DescribeDeliveryStream's destination.
struct Destination {
  std::string bucket;
  std::string prefix;
  int interval_seconds = 300;
};

Result<Destination> destination_of(const FirehoseClient& client, const std::string& stream) {
  auto described = client.describe_delivery_stream(stream);
  if (!described) return described.error();
  const auto json = nlohmann::json::parse(described->raw_json, nullptr, false);
  const auto* s3 = static_cast<const nlohmann::json*>(nullptr);
  if (json.is_object() && json.contains("Destinations") && json["Destinations"].is_array()) {
    for (const auto& destination : json["Destinations"]) {
      for (const char* kind : {"ExtendedS3DestinationDescription", "S3DestinationDescription"}) {
        if (s3 == nullptr && destination.contains(kind) && destination[kind].is_object()) s3 = &destination[kind];
      }
    }
  }
  constexpr std::string_view kArnPrefix = "arn:aws:s3:::";
  if (s3 == nullptr || !s3->contains("BucketARN") || !(*s3)["BucketARN"].is_string() ||
      (*s3)["BucketARN"].get<std::string>().rfind(kArnPrefix, 0) != 0) {
    return make_error(
        ErrorKind::Client, "NoS3Destination",
        fmt::format("stream {} has no S3 destination to verify (DescribeDeliveryStream shows none)", stream));
  }
  Destination out;
  out.bucket = (*s3)["BucketARN"].get<std::string>().substr(kArnPrefix.size());
  if (s3->contains("Prefix") && (*s3)["Prefix"].is_string()) out.prefix = (*s3)["Prefix"].get<std::string>();
  // A prefix with expressions (!{timestamp:...}) is evaluated per object: list from its literal start.
  if (const auto expression = out.prefix.find("!{"); expression != std::string::npos) out.prefix.resize(expression);
  if (s3->contains("BufferingHints") && (*s3)["BufferingHints"].contains("IntervalInSeconds") &&
      (*s3)["BufferingHints"]["IntervalInSeconds"].is_number_integer()) {
    out.interval_seconds = (*s3)["BufferingHints"]["IntervalInSeconds"].get<int>();
  }
  return out;
}

std::string later_command(const WorkflowVerifyRequest& request, const Destination& destination) {
  std::string command =
      "firehose verify --input " +
      (request.input.records_file.empty() ? std::string("<the records>") : request.input.records_file) +
      " --s3-bucket " + destination.bucket;
  if (!destination.prefix.empty()) command += " --prefix " + destination.prefix;
  if (!request.dead_letter.empty()) command += " --dead-letter " + request.dead_letter;
  return command;
}

}  // namespace

std::string stored_path_prefix(std::string_view bucket, std::string_view key_prefix) {
  std::string path(bucket);
  std::size_t start = 0;
  while (start < key_prefix.size()) {
    const std::size_t slash = key_prefix.find('/', start);
    if (slash == std::string_view::npos) {  // the prefix ends inside this component
      path += '/';
      path += key_prefix.substr(start);
      break;
    }
    const std::string_view component = key_prefix.substr(start, slash - start);
    start = slash + 1;
    if (component.empty()) continue;
    path += '/';
    path += component == "." ? "%2E" : component == ".." ? "%2E%2E" : component;
  }
  if (key_prefix.ends_with('/') || key_prefix.empty()) path += '/';
  return path;
}

WorkflowVerifyOutcome verify_workflow_run(const WorkflowVerifyRequest& request, const std::shared_ptr<Session>& session,
                                          const FirehoseClient& client, const std::function<bool()>& stopping) {
  WorkflowVerifyOutcome outcome;
  auto destination = destination_of(client, request.stream);
  if (!destination) {
    outcome.error = destination.error();
    return outcome;
  }
  VerifyRequest verify;
  const auto local_dir = local_data_dir(client.endpoint_url());
  std::string where;
  if (local_dir) {
    // firehose-local: deliver what it buffers, then read its data directory.
    if (auto flushed = flush_local(client.endpoint_url()); !flushed) {
      outcome.error = flushed.error();
      return outcome;
    }
    if (!std::filesystem::is_directory(*local_dir)) {
      outcome.error = make_error(ErrorKind::Client, "UnreadableInput",
                                 fmt::format("firehose-local's data directory {} is not on this machine", *local_dir));
      return outcome;
    }
    verify.delivered = {*local_dir, "", stored_path_prefix(destination->bucket, destination->prefix),
                        request.run_started - std::chrono::seconds(1)};
    where = fmt::format("{}/{}{}", *local_dir, destination->bucket,
                        destination->prefix.empty() ? "" : "/" + destination->prefix);
  } else {
    // S3: Firehose writes an object once its buffer fills or its interval ends.
    const auto wait = request.wait.value_or(std::chrono::seconds(destination->interval_seconds + 30));
    if (wait.count() == 0 || (request.input.records_file == "-")) {
      outcome.later_command = later_command(request, *destination);
      return outcome;
    }
    log_event(
        spdlog::level::info, event::kPhase, {{"stream", request.stream}, {"step", "verify_wait"}},
        fmt::format("Waiting {} for the stream's buffer (IntervalInSeconds {}) to reach s3://{}/{} before "
                    "verifying (--verify-wait sets it; 0 prints the command to run later)",
                    format_duration(wait), destination->interval_seconds, destination->bucket, destination->prefix));
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
      if (stopping()) {
        outcome.later_command = later_command(request, *destination);
        return outcome;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    // S3's clock, not ours, stamps LastModified: five minutes of slack.
    verify.delivered = {"", destination->bucket, destination->prefix, request.run_started - std::chrono::minutes(5)};
    where = fmt::format("s3://{}/{}", destination->bucket, destination->prefix);
  }
  log_event(spdlog::level::info, event::kPhase, {{"stream", request.stream}, {"step", "verify"}},
            fmt::format("Verifying that every record arrived once in {}", where));
  std::unique_ptr<SentRecords> sent;
  if (request.input.records_file.empty()) {
    sent = std::make_unique<GeneratedRecords>(request.input);
  } else {
    sent = sent_from_files({request.input.records_file}, nullptr);
  }
  verify.sent = sent.get();
  if (!request.dead_letter.empty() && std::filesystem::exists(request.dead_letter)) {
    verify.dead_letters = {request.dead_letter};
  }
  verify.progress_interval = request.progress_interval;
  auto report = run_verification(verify, session);
  if (!report) {
    outcome.error = report.error();
    return outcome;
  }
  const VerifyCounts& c = report->counts;
  outcome.missing = c.missing;
  outcome.report = report_json(*report);
  log_event(c.missing == 0 ? spdlog::level::info : spdlog::level::err, event::kVerify,
            {{"stream", request.stream},
             {"where", where},
             {"sent", c.sent},
             {"delivered", c.delivered},
             {"delivered_once", c.delivered_once},
             {"missing", c.missing},
             {"dead_lettered", c.dead_lettered},
             {"duplicated", c.duplicated},
             {"extra_copies", c.extra_copies},
             {"never_sent", c.never_sent}},
            "Verify: " + verify_summary_text(*report));
  return outcome;
}

}  // namespace firehose::cli
