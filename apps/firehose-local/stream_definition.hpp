#pragma once
// A delivery stream as CreateDeliveryStream defines it: read and validated
// from the request (model constraints, then the service's own rules), kept
// with the defaults the service fills in, described the way
// DescribeDeliveryStream shows it, and stored as JSON in the data directory.
#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "delivery/delivery.hpp"
#include "firehose/result.hpp"

namespace firehose::local {

struct StreamDefinition {
  std::string name;
  std::string arn;
  std::string type = "DirectPut";
  int version = 1;
  std::chrono::system_clock::time_point created;
  // ExtendedS3DestinationConfiguration (or, for the deprecated form,
  // S3DestinationConfiguration) with the service's defaults filled in.
  nlohmann::json destination;
  bool extended = true;
  nlohmann::json encryption;  // DeliveryStreamEncryptionConfigurationInput, or null
  nlohmann::json source;      // DirectPutSourceConfiguration, or null
  nlohmann::json tags = nlohmann::json::array();
};

// arn:<partition>:firehose:<region>:<account>:deliverystream/<name>
std::string stream_arn(std::string_view region, std::string_view account_id, std::string_view name);

// Reads a CreateDeliveryStream request body (already a JSON object). Errors
// are the service's: SerializationException (wrong JSON types),
// ValidationException (model constraints, all listed), InvalidArgumentException
// (a stream firehose-local cannot emulate: not DirectPut, no or several
// destinations, a destination other than S3).
Result<StreamDefinition> parse_create_request(const nlohmann::json& request, std::string_view region,
                                              std::string_view account_id, std::chrono::system_clock::time_point now);

// The DeliveryStreamDescription object of DescribeDeliveryStream, without
// Destinations paging (the caller applies ExclusiveStartDestinationId).
nlohmann::json describe_stream(const StreamDefinition& definition, std::string_view status);

// What Delivery needs: bucket, prefixes, buffering, compression.
StreamDestination delivery_destination(const StreamDefinition& definition);

// The stored form (streams/<name>.json) and back.
nlohmann::json definition_to_json(const StreamDefinition& definition);
Result<StreamDefinition> definition_from_json(const nlohmann::json& stored);

}  // namespace firehose::local
