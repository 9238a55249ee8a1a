#include "firehose_api.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "put_request.hpp"
#include "request_validation.hpp"

namespace firehose::local {
namespace {

using nlohmann::json;
using steady = std::chrono::steady_clock;

constexpr std::string_view kSlowDown = "Slow down.";
constexpr std::string_view kInternalFailureMessage =
    "The request processing has failed because of an unknown error, exception or failure.";

// Operations of the service that firehose-local does not emulate: they are
// real, so UnknownOperationException would mislead.
constexpr std::array<std::string_view, 8> kNotImplemented = {
    "ListTagsForDeliveryStream",    "TagDeliveryStream", "UntagDeliveryStream", "StartDeliveryStreamEncryption",
    "StopDeliveryStreamEncryption", "UpdateDestination", "GetKinesisStream",    "VerifyResourcesExistForTagris"};

ApiResponse error(const Error& e) { return error_response(e, kFirehoseContentType); }

ApiResponse error(int status, std::string_view code, std::string_view message) {
  return error_response(status, code, message, kFirehoseContentType);
}

ApiResponse ok(std::string body) { return json_response(std::move(body), kFirehoseContentType); }

std::chrono::milliseconds since(steady::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start);
}

}  // namespace

FirehoseApi::FirehoseApi(Parts parts) : parts_(std::move(parts)) {
  if (!parts_.clock) parts_.clock = [] { return std::chrono::system_clock::now(); };
}

FirehoseApi::Outcome FirehoseApi::handle(std::string_view operation, std::string_view body) {
  if (operation == "PutRecord") return put(body, false);
  if (operation == "PutRecordBatch") return put(body, true);
  if (operation == "DescribeDeliveryStream") return {describe_delivery_stream(body)};
  if (operation == "CreateDeliveryStream") return {create_delivery_stream(body)};
  if (operation == "DeleteDeliveryStream") return {delete_delivery_stream(body)};
  if (operation == "ListDeliveryStreams") return {list_delivery_streams(body)};
  if (std::find(kNotImplemented.begin(), kNotImplemented.end(), operation) != kNotImplemented.end()) {
    return {error(400, "InvalidArgumentException", fmt::format("firehose-local does not implement {}", operation))};
  }
  return {error(400, "UnknownOperationException", fmt::format("Operation {} is not supported.", operation))};
}

FirehoseApi::Outcome FirehoseApi::put(std::string_view body, bool batch) {
  const steady::time_point start = steady::now();
  Counters& counters = parts_.counters;
  auto request = batch ? parse_put_record_batch(body) : parse_put_record(body);
  if (!request.ok()) {
    ++counters.requests_invalid;
    return {error(request.error())};
  }
  const std::string& name = request->stream_name;
  auto stream = parts_.registry.find(name);
  if (!stream.ok()) {
    ++counters.requests_invalid;
    return {error(stream.error())};
  }
  if (stream->status != StreamStatus::Active) {
    // The service does not take records for a stream that is not ACTIVE and
    // answers as if it did not exist (as Kinesis does for a CREATING stream).
    ++counters.requests_invalid;
    return {error(400, "ResourceNotFoundException",
                  fmt::format("Firehose {} under account {} not found.", name, parts_.account_id))};
  }

  const RuntimeSettings runtime = parts_.settings.runtime();
  RequestPlan plan = parts_.faults.plan(runtime.faults);
  const std::size_t count = request->records.size();
  ++counters.put_requests;
  counters.records_received += count;
  parts_.metrics.limits(name, runtime.quotas, parts_.clock());

  if (plan.faults.stall.count() > 0) {
    ++counters.stalls;
    parts_.faults.sleep_for(plan.faults.stall);
  }
  if (plan.faults.latency.count() > 0) {
    ++counters.latency_injected;
    parts_.faults.sleep_for(plan.faults.latency);
  }
  if (plan.faults.fail_status) {
    if (*plan.faults.fail_status == 500) {
      ++counters.requests_failed_500;
      return {error(500, "InternalFailure", kInternalFailureMessage)};
    }
    ++counters.requests_failed_503;
    return {error(503, "ServiceUnavailableException", kSlowDown)};
  }
  if (plan.faults.reset_before) {
    ++counters.resets_before;
    return {ApiResponse{}, true};
  }

  std::vector<std::size_t> sizes;
  sizes.reserve(count);
  for (std::string_view record : request->records) sizes.push_back(record.size());
  const QuotaDecision quota = parts_.quotas.admit(name, sizes, runtime.quotas, steady::now());
  const bool whole_request_throttled = quota.request_throttled || (!batch && quota.throttled_records > 0);
  if (quota.throttled_records > 0) {
    counters.records_throttled += quota.throttled_records;
    parts_.metrics.throttled(name, quota.throttled_records, parts_.clock());
  }
  if (whole_request_throttled) {
    ++counters.requests_throttled;
    return {error(503, "ServiceUnavailableException", kSlowDown)};
  }

  // Per record: throttled, failed by injection, or to be stored. Every record
  // draws its fault numbers, so the draws do not depend on the quotas.
  std::vector<std::string_view> failure(count);
  std::vector<std::string_view> to_store;
  std::vector<std::size_t> stored_index;
  to_store.reserve(count);
  stored_index.reserve(count);
  std::size_t injected = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::optional<std::string_view> injected_code = plan.records.next();
    if (!quota.accepted[i]) {
      failure[i] = "ServiceUnavailableException";
    } else if (injected_code) {
      failure[i] = *injected_code;
      ++injected;
    } else {
      to_store.push_back(request->records[i]);
      stored_index.push_back(i);
    }
  }
  counters.records_failed_injected += injected;

  std::uint64_t stored_bytes = 0;
  if (!to_store.empty()) {
    if (auto accepted = parts_.delivery.accept(name, to_store); !accepted) {
      spdlog::error("stream {}: records could not be stored: {}", name, accepted.error().message);
      counters.records_failed_storage += to_store.size();
      for (std::size_t i : stored_index) failure[i] = "InternalFailure";
      to_store.clear();
      stored_index.clear();
    } else {
      for (std::string_view record : to_store) stored_bytes += record.size();
    }
  }
  const std::size_t stored = to_store.size();
  counters.records_stored += stored;
  counters.bytes_stored += stored_bytes;

  if (batch) {
    parts_.metrics.put_record_batch(name, stored, stored_bytes, since(start), parts_.clock());
  } else {
    parts_.metrics.put_record(name, stored_bytes, stored == 1, since(start), parts_.clock());
  }

  if (plan.faults.reset_after) {
    ++counters.resets_after;
    counters.records_stored_unacknowledged += stored;
    return {ApiResponse{}, true};
  }
  counters.records_acknowledged += stored;

  const bool encrypted = !stream->definition->encryption.is_null();
  if (!batch) {
    if (stored == 0) {
      if (failure[0] == "InternalFailure") return {error(500, "InternalFailure", kInternalFailureMessage)};
      return {error(503, "ServiceUnavailableException", kSlowDown)};
    }
    return {ok(fmt::format(R"({{"RecordId":"{}","Encrypted":{}}})", make_record_id(plan.ids), encrypted))};
  }

  // Record ids are base64 and the messages fixed: no JSON escaping needed.
  std::string out;
  out.reserve(64 + count * 240);
  RecordIds ids(plan.ids);
  out += fmt::format(R"({{"FailedPutCount":{},"Encrypted":{},"RequestResponses":[)", count - stored, encrypted);
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    if (failure[i].empty()) {
      out += R"({"RecordId":")";
      ids.append_to(out);
      out += R"("})";
    } else {
      const std::string_view message = failure[i] == "InternalFailure" ? kInternalFailureMessage : kSlowDown;
      out += fmt::format(R"({{"ErrorCode":"{}","ErrorMessage":"{}"}})", failure[i], message);
    }
  }
  out += "]}";
  return {ok(std::move(out))};
}

ApiResponse FirehoseApi::create_delivery_stream(std::string_view body) {
  auto request = parse_request_object(body);
  if (!request.ok()) return error(request.error());
  auto definition = parse_create_request(*request, parts_.region, parts_.account_id, parts_.clock());
  if (!definition.ok()) return error(definition.error());
  const std::string compression = definition->destination.value("CompressionFormat", "UNCOMPRESSED");
  const RuntimeSettings runtime = parts_.settings.runtime();
  Delivery& delivery = parts_.delivery;
  auto created = parts_.registry.create(
      std::move(definition.value()), runtime.create_delay,
      [&delivery](const StreamDefinition& stream) { delivery.configure(delivery_destination(stream)); });
  if (!created.ok()) return error(created.error());
  const StreamDefinition& stream = *created->definition;
  if (compression != "UNCOMPRESSED" && compression != "GZIP") {
    spdlog::warn("stream {}: CompressionFormat {} is not emulated; objects are delivered uncompressed", stream.name,
                 compression);
  }
  spdlog::info("stream {} created ({})", stream.name, stream.arn);
  return ok(json{{"DeliveryStreamARN", stream.arn}}.dump());
}

ApiResponse FirehoseApi::delete_delivery_stream(std::string_view body) {
  auto request = parse_request_object(body);
  if (!request.ok()) return error(request.error());
  auto name = string_member(*request, "DeliveryStreamName");
  if (!name.ok()) return error(name.error());
  auto force = bool_member(*request, "AllowForceDelete");
  if (!force.ok()) return error(force.error());
  ValidationErrors errors;
  check_stream_name(errors, "deliveryStreamName", *name, true);
  if (!errors.empty()) return error(errors.error());

  const RuntimeSettings runtime = parts_.settings.runtime();
  auto started = parts_.registry.begin_delete(**name, runtime.delete_delay);
  if (!started.ok()) return error(started.error());
  if (*started) {
    parts_.quotas.forget(**name);
    // Whatever the stream has buffered is delivered now, as the service
    // delivers what it holds before the stream goes away.
    parts_.delivery.remove(**name);
    spdlog::info("stream {} deleting", **name);
  }
  return ok("{}");
}

ApiResponse FirehoseApi::describe_delivery_stream(std::string_view body) {
  auto request = parse_request_object(body);
  if (!request.ok()) return error(request.error());
  auto name = string_member(*request, "DeliveryStreamName");
  if (!name.ok()) return error(name.error());
  auto limit = integer_member(*request, "Limit");
  if (!limit.ok()) return error(limit.error());
  auto start = string_member(*request, "ExclusiveStartDestinationId");
  if (!start.ok()) return error(start.error());
  ValidationErrors errors;
  check_stream_name(errors, "deliveryStreamName", *name, true);
  check_integer(errors, "limit", *limit, false, 1, 10000);
  check_string(errors, "exclusiveStartDestinationId", *start, false, 1, 100, "[a-zA-Z0-9-]+");
  if (!errors.empty()) return error(errors.error());

  auto stream = parts_.registry.find(**name);
  if (!stream.ok()) return error(stream.error());
  json description = describe_stream(*stream->definition, to_string(stream->status));
  // One destination per stream: starting after it leaves none.
  if (*start && **start == description["Destinations"][0]["DestinationId"].get<std::string>()) {
    description["Destinations"] = json::array();
  }
  return ok(json{{"DeliveryStreamDescription", std::move(description)}}.dump());
}

ApiResponse FirehoseApi::list_delivery_streams(std::string_view body) {
  auto request = parse_request_object(body);
  if (!request.ok()) return error(request.error());
  auto limit = integer_member(*request, "Limit");
  if (!limit.ok()) return error(limit.error());
  auto type = string_member(*request, "DeliveryStreamType");
  if (!type.ok()) return error(type.error());
  auto start = string_member(*request, "ExclusiveStartDeliveryStreamName");
  if (!start.ok()) return error(start.error());
  ValidationErrors errors;
  check_integer(errors, "limit", *limit, false, 1, 10000);
  check_enum(errors, "deliveryStreamType", *type, false,
             {"DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource"});
  check_stream_name(errors, "exclusiveStartDeliveryStreamName", *start, false);
  if (!errors.empty()) return error(errors.error());

  const auto max = static_cast<std::size_t>(limit->value_or(10));
  json names = json::array();
  bool more = false;
  for (const StreamSnapshot& stream : parts_.registry.list()) {
    const StreamDefinition& definition = *stream.definition;
    if (*type && definition.type != **type) continue;
    if (*start && definition.name <= **start) continue;
    if (names.size() == max) {
      more = true;
      break;
    }
    names.push_back(definition.name);
  }
  return ok(json{{"DeliveryStreamNames", std::move(names)}, {"HasMoreDeliveryStreams", more}}.dump());
}

}  // namespace firehose::local
