#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "firehose/firehose_client.hpp"
#include "firehose/limits.hpp"
#include "firehose/retry.hpp"
#include "stream_state.hpp"

namespace firehose::cli {
namespace {

struct PutRecordArgs {
  std::string stream;
  std::optional<std::string> data;
  std::optional<std::string> data_file;
  bool newline = false;
};

// The AWS CLI's convention: a parameter value of file://PATH or fileb://PATH
// is the file's contents (read as bytes either way: the data is sent as is).
std::optional<std::string> file_reference(const std::string& value) {
  for (const char* prefix : {"fileb://", "file://"}) {
    if (value.rfind(prefix, 0) == 0) return value.substr(std::string_view(prefix).size());
  }
  return std::nullopt;
}

}  // namespace

void register_put_record(CLI::App& app, CliContext& context, Action& action) {
  auto args = std::make_shared<PutRecordArgs>();
  auto* cmd = app.add_subcommand("put-record", "Write one record (PutRecord), retried with backoff");
  cmd->add_option("--delivery-stream-name", args->stream, "Delivery stream name")->required();
  auto* data = cmd->add_option("--data", args->data,
                               "Record data, sent as given (no newline added; see --newline), or file://PATH,\n"
                               "fileb://PATH for a file's contents");
  auto* file = cmd->add_option("--data-file", args->data_file, "Read the record data from this file, as is")
                   ->check(CLI::ExistingFile);
  data->excludes(file);
  cmd->add_flag("--newline", args->newline,
                "End the record with a newline if it has none, so that records delivered together stay\n"
                "one per line (Firehose adds no delimiter; put-record-batch and send do the same)");
  cmd->callback([&context, &action, args, cmd] {
    action = [&context, args, cmd]() -> int {
      std::string payload;
      std::optional<std::string> path = args->data_file;
      if (args->data) path = file_reference(*args->data);
      if (path) {
        std::ifstream in(*path, std::ios::binary);
        if (!in) return context.usage_error("cannot read " + *path + ": " + std::strerror(errno));
        std::ostringstream buffer;
        buffer << in.rdbuf();
        payload = buffer.str();
      } else if (args->data) {
        payload = *args->data;
      } else {
        return context.usage_error("put-record needs --data or --data-file\n" + cmd->help());
      }
      if (args->newline && (payload.empty() || payload.back() != '\n')) payload.push_back('\n');
      // Refused here, as every command refuses an input over the limit: a usage error (exit 2).
      if (payload.size() > limits::kMaxRecordBytes) {
        return context.usage_error(
            fmt::format("the record has {} bytes, over Firehose's 1,024,000-byte limit", payload.size()));
      }
      auto session = context.session();
      if (!session) return context.fail(session.error());
      auto client = FirehoseClient::create(*session);
      if (!client) return context.fail(client.error());
      auto result =
          call_with_retries(**session, "PutRecord", [&] { return (*client)->put_record(args->stream, payload); });
      if (!result) return context.fail(explain_stream_error(result.error(), **client, args->stream));
      context.print("PutRecord", {{"RecordId", result->record_id}, {"Encrypted", result->encrypted}});
      return kSuccess;
    };
  });
}

}  // namespace firehose::cli
