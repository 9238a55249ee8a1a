// describe-, create-, delete- and list-delivery-streams.
#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "firehose/firehose_client.hpp"
#include "firehose/retry.hpp"
#include "timestamps.hpp"

namespace firehose::cli {
namespace {

struct StreamArgs {
  std::string stream;
  std::string bucket_arn;
  std::string role_arn;
  std::string prefix;
  std::string error_output_prefix;
  std::optional<int> buffer_size_mb;
  std::optional<int> buffer_interval_seconds;
  std::string compression;
  std::string stream_type;
  bool allow_force_delete = false;
  bool wait = false;
  double wait_timeout_seconds = 300;
};

// Create is asynchronous: the stream is CREATING for a while and puts fail
// with ResourceNotFoundException until it is ACTIVE. Polls DescribeDeliveryStream
// (control-plane calls allow about 5 a second: once a second is polite).
Status wait_until_active(const FirehoseClient& client, const Session& session, const std::string& stream,
                         std::chrono::duration<double> timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last = "unknown";
  for (;;) {
    auto described =
        call_with_retries(session, "DescribeDeliveryStream", [&] { return client.describe_delivery_stream(stream); });
    if (described) {
      last = described->delivery_stream_status;
      if (last == "ACTIVE") return {};
      if (last.ends_with("_FAILED")) {
        return make_error(ErrorKind::Client, "StreamNotActive", fmt::format("stream {} is {}", stream, last));
      }
    } else if (described.error().code != "ResourceNotFoundException") {
      return described.error();  // not found yet is part of creating
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(ErrorKind::Transient, "WaitTimeout",
                        fmt::format("stream {} is still {} after {:.0f} s", stream, last, timeout.count()));
    }
    spdlog::info("stream {} is {}; waiting for ACTIVE", stream, last);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

// Builds the session and client, then runs `body`; errors become exit codes.
template <class Body>
int with_client(CliContext& context, Body&& body) {
  auto session = context.session();
  if (!session) return context.fail(session.error());
  auto client = FirehoseClient::create(*session);
  if (!client) return context.fail(client.error());
  return body(**client, **session);
}

// The AWS CLI prints timestamps as ISO 8601 with the UTC offset.
void format_timestamps(nlohmann::ordered_json& value) {
  if (value.is_object()) {
    for (auto& [key, v] : value.items()) {
      if (v.is_number() && key.size() > 9 && key.compare(key.size() - 9, 9, "Timestamp") == 0) {
        v = aws_cli_timestamp(v.get<double>());
      } else {
        format_timestamps(v);
      }
    }
  } else if (value.is_array()) {
    for (auto& v : value) format_timestamps(v);
  }
}

}  // namespace

void register_stream_commands(CLI::App& app, CliContext& context, Action& action) {
  auto args = std::make_shared<StreamArgs>();

  auto* describe = app.add_subcommand("describe-delivery-stream", "Show a delivery stream (DescribeDeliveryStream)");
  describe->add_option("--delivery-stream-name", args->stream, "Delivery stream name")->required();
  describe->callback([&context, &action, args] {
    action = [&context, args] {
      return with_client(context, [&](const FirehoseClient& client, const Session& session) {
        auto result = call_with_retries(session, "DescribeDeliveryStream",
                                        [&] { return client.describe_delivery_stream(args->stream); });
        if (!result) return context.fail(result.error());
        nlohmann::ordered_json description = nlohmann::ordered_json::parse(result->raw_json);
        format_timestamps(description);
        context.print("DescribeDeliveryStream", {{"DeliveryStreamDescription", std::move(description)}});
        return static_cast<int>(kSuccess);
      });
    };
  });

  auto* create = app.add_subcommand("create-delivery-stream",
                                    "Create a DirectPut delivery stream with an S3 destination (CreateDeliveryStream)");
  create->add_option("--delivery-stream-name", args->stream, "Delivery stream name")->required();
  create->add_option("--bucket-arn", args->bucket_arn, "Destination bucket, arn:aws:s3:::NAME")->required();
  create->add_option("--role-arn", args->role_arn, "Role Firehose assumes to write to the bucket")->required();
  create->add_option("--prefix", args->prefix, "S3 key prefix for delivered objects");
  create->add_option("--error-output-prefix", args->error_output_prefix, "S3 key prefix for failed deliveries");
  create->add_option("--buffer-size-mb", args->buffer_size_mb, "Buffer size before delivery, 1-128 MiB")
      ->check(CLI::Range(1, 128));
  create->add_option("--buffer-interval-seconds", args->buffer_interval_seconds, "Buffer time before delivery, 0-900 s")
      ->check(CLI::Range(0, 900));
  create->add_option("--compression", args->compression, "UNCOMPRESSED, GZIP, ZIP, Snappy or HADOOP_SNAPPY")
      ->check(CLI::IsMember({"UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"}));
  create->add_flag("--wait", args->wait, "Return only once the stream is ACTIVE (it is CREATING for a while)");
  create->add_option("--wait-timeout", args->wait_timeout_seconds, "Seconds --wait waits at most")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  create->callback([&context, &action, args] {
    action = [&context, args] {
      return with_client(context, [&](const FirehoseClient& client, const Session& session) {
        CreateDeliveryStreamRequest request;
        request.delivery_stream_name = args->stream;
        request.bucket_arn = args->bucket_arn;
        request.role_arn = args->role_arn;
        request.prefix = args->prefix;
        request.error_output_prefix = args->error_output_prefix;
        request.compression_format = args->compression;
        if (args->buffer_size_mb || args->buffer_interval_seconds) {
          BufferingHints hints;  // the service wants both when either is given
          if (args->buffer_size_mb) hints.size_in_mbs = *args->buffer_size_mb;
          if (args->buffer_interval_seconds) hints.interval_in_seconds = *args->buffer_interval_seconds;
          request.buffering_hints = hints;
        }
        auto arn =
            call_with_retries(session, "CreateDeliveryStream", [&] { return client.create_delivery_stream(request); });
        if (!arn) return context.fail(arn.error());
        if (args->wait) {
          auto active = wait_until_active(client, session, args->stream,
                                          std::chrono::duration<double>(args->wait_timeout_seconds));
          if (!active) return context.fail(active.error());
        }
        context.print("CreateDeliveryStream", {{"DeliveryStreamARN", *arn}});
        return static_cast<int>(kSuccess);
      });
    };
  });

  auto* remove = app.add_subcommand("delete-delivery-stream", "Delete a delivery stream (DeleteDeliveryStream)");
  remove->add_option("--delivery-stream-name", args->stream, "Delivery stream name")->required();
  remove->add_flag("--allow-force-delete", args->allow_force_delete, "Delete even if the stream's CMK is unusable");
  remove->callback([&context, &action, args] {
    action = [&context, args] {
      return with_client(context, [&](const FirehoseClient& client, const Session& session) {
        auto done = call_with_retries(session, "DeleteDeliveryStream", [&] {
          return client.delete_delivery_stream(args->stream, args->allow_force_delete);
        });
        if (!done) return context.fail(done.error());
        return static_cast<int>(kSuccess);  // the AWS CLI prints nothing for an empty answer
      });
    };
  });

  auto* list = app.add_subcommand("list-delivery-streams", "List delivery streams, every page (ListDeliveryStreams)");
  list->add_option("--delivery-stream-type", args->stream_type, "DirectPut, KinesisStreamAsSource, ...");
  list->callback([&context, &action, args] {
    action = [&context, args] {
      return with_client(context, [&](const FirehoseClient& client, const Session& session) {
        auto names = call_with_retries(session, "ListDeliveryStreams",
                                       [&] { return client.list_all_delivery_streams(args->stream_type); });
        if (!names) return context.fail(names.error());
        context.print("ListDeliveryStreams", {{"DeliveryStreamNames", *names}, {"HasMoreDeliveryStreams", false}});
        return static_cast<int>(kSuccess);
      });
    };
  });
}

}  // namespace firehose::cli
