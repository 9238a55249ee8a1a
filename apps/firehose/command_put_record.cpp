#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "retry_call.hpp"
#include "firehose/firehose_client.hpp"

namespace firehose::cli {
namespace {

struct PutRecordArgs {
  std::string stream;
  std::optional<std::string> data;
  std::optional<std::string> data_file;
};

}  // namespace

void register_put_record(CLI::App& app, CliContext& context, Action& action) {
  auto args = std::make_shared<PutRecordArgs>();
  auto* cmd = app.add_subcommand("put-record", "Write one record (PutRecord), retried with backoff");
  cmd->add_option("--delivery-stream-name", args->stream, "Delivery stream name")->required();
  auto* data = cmd->add_option("--data", args->data, "Record data, sent as given (no newline added)");
  auto* file = cmd->add_option("--data-file", args->data_file, "Read the record data from this file, as is")
                   ->check(CLI::ExistingFile);
  data->excludes(file);
  cmd->callback([&context, &action, args, cmd] {
    action = [&context, args, cmd]() -> int {
      std::string payload;
      if (args->data) {
        payload = *args->data;
      } else if (args->data_file) {
        std::ifstream in(*args->data_file, std::ios::binary);
        if (!in) return context.usage_error("cannot read --data-file " + *args->data_file);
        std::ostringstream buffer;
        buffer << in.rdbuf();
        payload = buffer.str();
      } else {
        return context.usage_error("put-record needs --data or --data-file\n" + cmd->help());
      }
      auto session = context.session();
      if (!session) return context.fail(session.error());
      auto client = FirehoseClient::create(*session);
      if (!client) return context.fail(client.error());
      auto result = retry_call(**session, "PutRecord",
                                           [&] { return (*client)->put_record(args->stream, payload); });
      if (!result) return context.fail(result.error());
      context.print({{"RecordId", result->record_id}, {"Encrypted", result->encrypted}});
      return kSuccess;
    };
  });
}

}  // namespace firehose::cli
