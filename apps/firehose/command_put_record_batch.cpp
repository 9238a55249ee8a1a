#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "firehose/batch_put.hpp"
#include "firehose/limits.hpp"
#include "input_file.hpp"
#include "line_reader.hpp"
#include "stream_state.hpp"

namespace firehose::cli {
namespace {

struct PutRecordBatchArgs {
  std::string stream;
  std::string records_file;
};

// One record per line, each keeping its '\n' (added to a last line without
// one) so that delivered objects are newline-delimited.
Result<std::vector<std::string>> read_records(const std::string& path) {
  auto file = open_input(path);
  if (!file) return file.error();
  std::vector<std::string> records;
  std::optional<Error> refused;
  LineLimit limit;
  limit.on_torn_last_line = [&](std::string_view, std::size_t size) {
    // Nothing is sent: a torn record is not half-sent, and the file can be given again once complete.
    refused = make_error(ErrorKind::Client, "TornLine",
                         fmt::format("{}: {}; nothing sent", input_name(path), torn_line_message(size)));
  };
  const bool read_ok = for_each_line_block(
      *file, [&] { return refused.has_value(); },
      [&](std::span<const std::string_view> lines) {
        for (std::string_view line : lines) {
          if (refused) return;
          if (line.size() > limits::kMaxRecordBytes) {
            refused = make_error(ErrorKind::Client, "RecordTooLarge",
                                 fmt::format("{}:{}: a record of {} bytes is over Firehose's 1,024,000-byte limit",
                                             input_name(path), records.size() + 1, line.size()));
            return;
          }
          records.emplace_back(line);
        }
      },
      limit);
  const int read_errno = errno;
  close_input(*file);
  if (refused) return *refused;
  if (!read_ok) return make_error(ErrorKind::Client, "UnreadableInput", read_error_message(path, read_errno));
  if (records.empty()) {
    return make_error(ErrorKind::Client, "EmptyInput", fmt::format("{} holds no records", input_name(path)));
  }
  return records;
}

}  // namespace

void register_put_record_batch(CLI::App& app, CliContext& context, Action& action) {
  auto args = std::make_shared<PutRecordBatchArgs>();
  auto* cmd = app.add_subcommand(
      "put-record-batch",
      "Write the lines of a file as records (PutRecordBatch): split into valid calls, failed records retried alone");
  cmd->add_option("--delivery-stream-name", args->stream, "Delivery stream name")->required();
  cmd->add_option("--records-file", args->records_file,
                  "File with one record per line ('-' for stdin; file://PATH and fileb://PATH as in the AWS CLI)")
      ->required();
  cmd->callback([&context, &action, args] {
    action = [&context, args]() -> int {
      // The AWS CLI's file:// and fileb:// name the same file here: lines are bytes either way.
      std::string path = args->records_file;
      for (std::string_view prefix : {"fileb://", "file://"}) {
        if (path.rfind(prefix, 0) == 0) path = path.substr(prefix.size());
      }
      auto records = read_records(path);
      if (!records) return context.usage_error(records.error().message);
      auto session = context.session();
      if (!session) return context.fail(session.error());
      auto client = FirehoseClient::create(*session);
      if (!client) return context.fail(client.error());
      auto report = put_records_in_batches(**client, args->stream, *records, (*session)->retry_policy());
      if (!report) return context.fail(explain_stream_error(report.error(), **client, args->stream));
      nlohmann::json responses = nlohmann::json::array();
      for (const auto& entry : report->result.responses) {
        if (entry.ok()) {
          responses.push_back({{"RecordId", entry.record_id}});
        } else {
          responses.push_back({{"ErrorCode", entry.error_code}, {"ErrorMessage", entry.error_message}});
        }
      }
      context.print("PutRecordBatch", {{"FailedPutCount", report->result.failed_put_count},
                                       {"Encrypted", report->result.encrypted},
                                       {"RequestResponses", std::move(responses)}});
      if (report->result.failed_put_count == 0) return kSuccess;
      // Exit 1 with the answer on stdout, and one line saying so (it came with none).
      std::map<std::string, std::size_t> codes;
      for (const auto& entry : report->result.responses) {
        if (!entry.ok()) ++codes[entry.error_code];
      }
      std::vector<std::string> counted;
      for (const auto& [code, count] : codes) counted.push_back(fmt::format("{} x{}", code, count));
      std::fprintf(stderr, "error: %s\n",
                   fmt::format("{} of {} records failed (FailedPutCount), after retries of only those: {}",
                               report->result.failed_put_count, report->result.responses.size(),
                               fmt::join(counted, ", "))
                       .c_str());
      return kPartialFailure;
    };
  });
}

}  // namespace firehose::cli
