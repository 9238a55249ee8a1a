#include "stream_definition.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "protocol/firehose.hpp"
#include "request_validation.hpp"

// Reads a typed member or returns its SerializationException.
#define LOCAL_TRY(var, expr)                           \
  auto var##_result = (expr);                          \
  if (!var##_result.ok()) return var##_result.error(); \
  auto var = std::move(var##_result.value())

namespace firehose::local {
namespace {

using nlohmann::json;

constexpr std::string_view kRoleArnPattern = R"(arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+)";
constexpr std::string_view kBucketArnPattern = R"(arn:.*:s3:::[\w\.\-]{1,255})";
constexpr std::string_view kKmsArnPattern = R"(arn:.*:kms:[a-zA-Z0-9\-]+:\d{12}:(key|alias)/[a-zA-Z_0-9+=,.@\-_/]+)";
constexpr std::string_view kLogGroupPattern = R"([\.\-_/#A-Za-z0-9]*)";
constexpr std::string_view kLogStreamPattern = R"([^:*]*)";
constexpr std::string_view kFileExtensionPattern = R"(^$|\.[0-9a-z!\-_.*'()]+)";
constexpr std::string_view kTimeZonePattern = R"(^$|[a-zA-Z/_]+)";

constexpr int kDefaultBufferMiB = 5;
constexpr int kDefaultBufferSeconds = 300;

// The destinations of the model; firehose-local emulates the first two.
constexpr std::array<const char*, 10> kDestinationKeys = {"ExtendedS3DestinationConfiguration",
                                                          "S3DestinationConfiguration",
                                                          "RedshiftDestinationConfiguration",
                                                          "ElasticsearchDestinationConfiguration",
                                                          "AmazonopensearchserviceDestinationConfiguration",
                                                          "SplunkDestinationConfiguration",
                                                          "HttpEndpointDestinationConfiguration",
                                                          "AmazonOpenSearchServerlessDestinationConfiguration",
                                                          "SnowflakeDestinationConfiguration",
                                                          "IcebergDestinationConfiguration"};
constexpr std::array<const char*, 3> kOtherSourceKeys = {"KinesisStreamSourceConfiguration", "MSKSourceConfiguration",
                                                         "DatabaseSourceConfiguration"};

std::string path_of(std::string_view parent, std::string_view member) {
  // Member paths in messages start with a lower-case letter: RoleARN -> roleARN.
  std::string name(member);
  if (!name.empty() && name[0] >= 'A' && name[0] <= 'Z') name[0] = static_cast<char>(name[0] - 'A' + 'a');
  return parent.empty() ? name : fmt::format("{}.{}", parent, name);
}

std::string partition_of(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  if (region.starts_with("us-iso-")) return "aws-iso";
  if (region.starts_with("us-isob-")) return "aws-iso-b";
  return "aws";
}

// Copies an optional structure member the service keeps but firehose-local does not act on.
Status copy_structure(const json& from, const char* key, json& to) {
  LOCAL_TRY(member, object_member(from, key));
  if (member != nullptr) to[key] = *member;
  return {};
}

// S3's bucket naming rules, except that names shorter than 3 characters are
// allowed (tests name buckets "b"). firehose-local delivers into a directory
// of that name under --data-dir.
bool usable_bucket_name(std::string_view name) {
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (name.empty() || name.size() > 63 || !alnum(name.front()) || !alnum(name.back())) return false;
  if (name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '.' || c == '-'; });
}

Result<json> read_s3_destination(const json& config, const std::string& path, bool extended, ValidationErrors& errors) {
  json out = json::object();
  LOCAL_TRY(role, string_member(config, "RoleARN"));
  check_string(errors, path_of(path, "RoleARN"), role, true, 1, 512, kRoleArnPattern);
  LOCAL_TRY(bucket, string_member(config, "BucketARN"));
  const std::size_t errors_before = errors.size();
  check_string(errors, path_of(path, "BucketARN"), bucket, true, 1, 2048, kBucketArnPattern);
  if (bucket && errors.size() == errors_before && !usable_bucket_name(bucket->substr(bucket->find(":::") + 3))) {
    // The model's pattern lets "arn:aws:s3:::.." through; such a stream could
    // never deliver (its directory would be outside --data-dir).
    return invalid_argument(
        fmt::format("BucketARN {} does not name an S3 bucket: lowercase letters, digits, dots and hyphens, at most 63, "
                    "beginning and ending with a letter or digit, no '..'",
                    *bucket));
  }
  out["RoleARN"] = role.value_or("");
  out["BucketARN"] = bucket.value_or("");

  LOCAL_TRY(prefix, string_member(config, "Prefix"));
  check_string(errors, path_of(path, "Prefix"), prefix, false, 0, 1024);
  if (prefix) out["Prefix"] = *prefix;
  LOCAL_TRY(error_prefix, string_member(config, "ErrorOutputPrefix"));
  check_string(errors, path_of(path, "ErrorOutputPrefix"), error_prefix, false, 0, 1024);
  if (error_prefix) out["ErrorOutputPrefix"] = *error_prefix;

  // BufferingHints: the service fills in whichever half is missing.
  int size_mib = kDefaultBufferMiB;
  int interval = kDefaultBufferSeconds;
  LOCAL_TRY(hints, object_member(config, "BufferingHints"));
  if (hints != nullptr) {
    const std::string hints_path = path_of(path, "BufferingHints");
    LOCAL_TRY(size, integer_member(*hints, "SizeInMBs"));
    check_integer(errors, path_of(hints_path, "SizeInMBs"), size, false, 1, 128);
    LOCAL_TRY(seconds, integer_member(*hints, "IntervalInSeconds"));
    check_integer(errors, path_of(hints_path, "IntervalInSeconds"), seconds, false, 0, 900);
    if (size) size_mib = static_cast<int>(*size);
    if (seconds) interval = static_cast<int>(*seconds);
  }
  out["BufferingHints"] = {{"SizeInMBs", size_mib}, {"IntervalInSeconds", interval}};

  LOCAL_TRY(compression, string_member(config, "CompressionFormat"));
  check_enum(errors, path_of(path, "CompressionFormat"), compression, false,
             {"UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"});
  out["CompressionFormat"] = compression.value_or("UNCOMPRESSED");

  json encryption = {{"NoEncryptionConfig", "NoEncryption"}};
  LOCAL_TRY(encryption_in, object_member(config, "EncryptionConfiguration"));
  if (encryption_in != nullptr) {
    const std::string enc_path = path_of(path, "EncryptionConfiguration");
    LOCAL_TRY(none, string_member(*encryption_in, "NoEncryptionConfig"));
    check_enum(errors, path_of(enc_path, "NoEncryptionConfig"), none, false, {"NoEncryption"});
    LOCAL_TRY(kms, object_member(*encryption_in, "KMSEncryptionConfig"));
    if (kms != nullptr) {
      LOCAL_TRY(key, string_member(*kms, "AWSKMSKeyARN"));
      check_string(errors, path_of(path_of(enc_path, "KMSEncryptionConfig"), "AWSKMSKeyARN"), key, true, 1, 512,
                   kKmsArnPattern);
      encryption = {{"KMSEncryptionConfig", {{"AWSKMSKeyARN", key.value_or("")}}}};
    }
  }
  out["EncryptionConfiguration"] = encryption;

  json logging = {{"Enabled", false}};
  LOCAL_TRY(logging_in, object_member(config, "CloudWatchLoggingOptions"));
  if (logging_in != nullptr) {
    const std::string log_path = path_of(path, "CloudWatchLoggingOptions");
    LOCAL_TRY(enabled, bool_member(*logging_in, "Enabled"));
    LOCAL_TRY(group, string_member(*logging_in, "LogGroupName"));
    check_string(errors, path_of(log_path, "LogGroupName"), group, false, 0, 512, kLogGroupPattern);
    LOCAL_TRY(stream, string_member(*logging_in, "LogStreamName"));
    check_string(errors, path_of(log_path, "LogStreamName"), stream, false, 0, 512, kLogStreamPattern);
    logging = {{"Enabled", enabled.value_or(false)}};
    if (group) logging["LogGroupName"] = *group;
    if (stream) logging["LogStreamName"] = *stream;
  }
  out["CloudWatchLoggingOptions"] = logging;

  if (!extended) return out;

  LOCAL_TRY(backup_mode, string_member(config, "S3BackupMode"));
  check_enum(errors, path_of(path, "S3BackupMode"), backup_mode, false, {"Disabled", "Enabled"});
  out["S3BackupMode"] = backup_mode.value_or("Disabled");
  LOCAL_TRY(backup, object_member(config, "S3BackupConfiguration"));
  if (backup != nullptr) {
    LOCAL_TRY(backup_out, read_s3_destination(*backup, path_of(path, "S3BackupConfiguration"), false, errors));
    out["S3BackupConfiguration"] = std::move(backup_out);
  }
  LOCAL_TRY(extension, string_member(config, "FileExtension"));
  check_string(errors, path_of(path, "FileExtension"), extension, false, 0, 128, kFileExtensionPattern);
  if (extension) out["FileExtension"] = *extension;
  LOCAL_TRY(time_zone, string_member(config, "CustomTimeZone"));
  check_string(errors, path_of(path, "CustomTimeZone"), time_zone, false, 0, 50, kTimeZonePattern);
  if (time_zone) out["CustomTimeZone"] = *time_zone;
  for (const char* kept :
       {"ProcessingConfiguration", "DataFormatConversionConfiguration", "DynamicPartitioningConfiguration"}) {
    if (auto copied = copy_structure(config, kept, out); !copied) return copied.error();
  }
  return out;
}

Status read_tags(const json& request, ValidationErrors& errors, json& out) {
  LOCAL_TRY(tags, array_member(request, "Tags"));
  if (tags == nullptr) return {};
  if (tags->empty()) errors.min_length("'[]'", "tags", 1);
  if (tags->size() > 50) errors.max_length(quote_value(tags->dump()), "tags", 50);
  std::size_t index = 0;
  for (const json& tag : *tags) {
    ++index;
    if (!tag.is_object()) return serialization_error("Tags members must be structures");
    const std::string tag_path = fmt::format("tags.{}.member", index);
    LOCAL_TRY(key, string_member(tag, "Key"));
    check_string(errors, path_of(tag_path, "Key"), key, true, 1, 128);
    if (key && key->starts_with("aws:")) {
      errors.pattern(quote_value(*key), path_of(tag_path, "Key"), R"(^(?!aws:)[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$)");
    }
    LOCAL_TRY(value, string_member(tag, "Value"));
    check_string(errors, path_of(tag_path, "Value"), value, false, 0, 256);
    json stored = {{"Key", key.value_or("")}};
    if (value) stored["Value"] = *value;
    out.push_back(std::move(stored));
  }
  return {};
}

std::int64_t to_millis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string stream_arn(std::string_view region, std::string_view account_id, std::string_view name) {
  return fmt::format("arn:{}:firehose:{}:{}:deliverystream/{}", partition_of(region), region, account_id, name);
}

Result<StreamDefinition> parse_create_request(const json& request, std::string_view region, std::string_view account_id,
                                              std::chrono::system_clock::time_point now) {
  ValidationErrors errors;
  StreamDefinition definition;

  LOCAL_TRY(name, string_member(request, "DeliveryStreamName"));
  check_stream_name(errors, "deliveryStreamName", name, true);
  LOCAL_TRY(type, string_member(request, "DeliveryStreamType"));
  check_enum(errors, "deliveryStreamType", type, false,
             {"DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource"});

  LOCAL_TRY(source, object_member(request, "DirectPutSourceConfiguration"));
  if (source != nullptr) {
    LOCAL_TRY(hint, integer_member(*source, "ThroughputHintInMBs"));
    check_integer(errors, "directPutSourceConfiguration.throughputHintInMBs", hint, true, 1, 100);
    definition.source = *source;
  }

  LOCAL_TRY(encryption, object_member(request, "DeliveryStreamEncryptionConfigurationInput"));
  std::optional<std::string> key_type, key_arn;
  if (encryption != nullptr) {
    const std::string enc_path = "deliveryStreamEncryptionConfigurationInput";
    LOCAL_TRY(arn, string_member(*encryption, "KeyARN"));
    check_string(errors, path_of(enc_path, "KeyARN"), arn, false, 1, 512, kKmsArnPattern);
    LOCAL_TRY(kind, string_member(*encryption, "KeyType"));
    check_enum(errors, path_of(enc_path, "KeyType"), kind, true, {"AWS_OWNED_CMK", "CUSTOMER_MANAGED_CMK"});
    key_type = kind;
    key_arn = arn;
  }

  // Every destination member must at least be a structure; which ones are set decides the rest.
  std::vector<std::string> destinations;
  for (const char* key : kDestinationKeys) {
    LOCAL_TRY(member, object_member(request, key));
    if (member != nullptr) destinations.emplace_back(key);
  }
  bool other_source = false;
  for (const char* key : kOtherSourceKeys) {
    LOCAL_TRY(member, object_member(request, key));
    other_source = other_source || member != nullptr;
  }
  json destination;
  bool extended = true;
  if (destinations.size() == 1 &&
      (destinations[0] == "ExtendedS3DestinationConfiguration" || destinations[0] == "S3DestinationConfiguration")) {
    extended = destinations[0] == "ExtendedS3DestinationConfiguration";
    LOCAL_TRY(read, read_s3_destination(request.at(destinations[0]), path_of("", destinations[0]), extended, errors));
    destination = std::move(read);
  }

  json tags = json::array();
  if (auto read = read_tags(request, errors, tags); !read) return read.error();
  if (!errors.empty()) return errors.error();

  // The service's own rules, after the model's.
  if (type && *type != "DirectPut") {
    return invalid_argument(
        fmt::format("firehose-local emulates DirectPut streams only; DeliveryStreamType {} is not supported", *type));
  }
  if (other_source) {
    return invalid_argument(
        "KinesisStreamSourceConfiguration, MSKSourceConfiguration and DatabaseSourceConfiguration "
        "are only applicable for their own stream types, not DirectPut");
  }
  if (destinations.size() != 1) {
    return invalid_argument("Exactly one destination configuration is supported for a Firehose");
  }
  if (destination.is_null()) {
    return invalid_argument(fmt::format(
        "firehose-local delivers to S3 destinations only; use ExtendedS3DestinationConfiguration instead of {}",
        destinations[0]));
  }
  if (key_type && *key_type == "CUSTOMER_MANAGED_CMK" && !key_arn) {
    return invalid_argument("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK");
  }
  if (key_type && *key_type == "AWS_OWNED_CMK" && key_arn) {
    return invalid_argument("KeyARN must not be specified when KeyType is AWS_OWNED_CMK");
  }

  definition.name = *name;
  definition.arn = stream_arn(region, account_id, *name);
  definition.type = "DirectPut";
  definition.created = now;
  definition.destination = std::move(destination);
  definition.extended = extended;
  if (key_type) {
    definition.encryption = {{"KeyType", *key_type}};
    if (key_arn) definition.encryption["KeyARN"] = *key_arn;
  }
  definition.tags = std::move(tags);
  return definition;
}

namespace {

json s3_description(const json& config) {
  json out = json::object();
  for (const char* key : {"RoleARN", "BucketARN", "Prefix", "ErrorOutputPrefix", "BufferingHints", "CompressionFormat",
                          "EncryptionConfiguration", "CloudWatchLoggingOptions"}) {
    if (config.contains(key)) out[key] = config.at(key);
  }
  return out;
}

json extended_s3_description(const json& config) {
  json out = s3_description(config);
  for (const char* key : {"ProcessingConfiguration", "S3BackupMode", "DataFormatConversionConfiguration",
                          "DynamicPartitioningConfiguration", "FileExtension", "CustomTimeZone"}) {
    if (config.contains(key)) out[key] = config.at(key);
  }
  if (config.contains("S3BackupConfiguration")) {
    out["S3BackupDescription"] = s3_description(config.at("S3BackupConfiguration"));
  }
  return out;
}

}  // namespace

json describe_stream(const StreamDefinition& definition, std::string_view status) {
  json destination = {{"DestinationId", "destinationId-000000000001"}};
  // For an ExtendedS3 destination the service shows the S3 view of it as well.
  destination["S3DestinationDescription"] = s3_description(definition.destination);
  if (definition.extended) {
    destination["ExtendedS3DestinationDescription"] = extended_s3_description(definition.destination);
  }
  json encryption = {{"Status", "DISABLED"}};
  if (!definition.encryption.is_null()) {
    encryption = definition.encryption;
    encryption["Status"] = "ENABLED";
  }
  json description = {
      {"DeliveryStreamName", definition.name},
      {"DeliveryStreamARN", definition.arn},
      {"DeliveryStreamStatus", status},
      {"DeliveryStreamEncryptionConfiguration", encryption},
      {"DeliveryStreamType", definition.type},
      {"VersionId", std::to_string(definition.version)},
      {"CreateTimestamp", static_cast<double>(to_millis(definition.created)) / 1000.0},
      {"Destinations", json::array({destination})},
      {"HasMoreDestinations", false},
  };
  if (!definition.source.is_null()) {
    description["Source"] = {{"DirectPutSourceDescription", definition.source}};
  }
  return description;
}

StreamDestination delivery_destination(const StreamDefinition& definition) {
  const json& config = definition.destination;
  StreamDestination out;
  out.stream_name = definition.name;
  out.version = definition.version;
  const std::string bucket_arn = config.value("BucketARN", "");
  const std::size_t colons = bucket_arn.find(":::");
  out.bucket = colons == std::string::npos ? bucket_arn : bucket_arn.substr(colons + 3);
  out.prefix = config.value("Prefix", "");
  out.error_output_prefix = config.value("ErrorOutputPrefix", "");
  const json& hints = config.at("BufferingHints");
  out.buffer_bytes = static_cast<std::size_t>(hints.value("SizeInMBs", kDefaultBufferMiB)) * 1024 * 1024;
  out.buffer_interval = std::chrono::seconds(hints.value("IntervalInSeconds", kDefaultBufferSeconds));
  out.gzip = config.value("CompressionFormat", "UNCOMPRESSED") == "GZIP";
  return out;
}

json definition_to_json(const StreamDefinition& definition) {
  return json{{"DeliveryStreamName", definition.name},
              {"DeliveryStreamARN", definition.arn},
              {"DeliveryStreamType", definition.type},
              {"VersionId", definition.version},
              {"CreateTimestampMillis", to_millis(definition.created)},
              {definition.extended ? "ExtendedS3DestinationConfiguration" : "S3DestinationConfiguration",
               definition.destination},
              {"DeliveryStreamEncryptionConfigurationInput", definition.encryption},
              {"DirectPutSourceConfiguration", definition.source},
              {"Tags", definition.tags}};
}

Result<StreamDefinition> definition_from_json(const json& stored) {
  const auto bad = [](std::string what) {
    return make_error(ErrorKind::Config, "InvalidStreamFile", "stream file " + std::move(what));
  };
  if (!stored.is_object()) return bad("is not a JSON object");
  StreamDefinition definition;
  try {
    definition.name = stored.at("DeliveryStreamName").get<std::string>();
    definition.arn = stored.at("DeliveryStreamARN").get<std::string>();
    definition.type = stored.value("DeliveryStreamType", "DirectPut");
    definition.version = stored.value("VersionId", 1);
    definition.created = std::chrono::system_clock::time_point(
        std::chrono::milliseconds(stored.at("CreateTimestampMillis").get<std::int64_t>()));
    if (stored.contains("ExtendedS3DestinationConfiguration")) {
      definition.destination = stored.at("ExtendedS3DestinationConfiguration");
      definition.extended = true;
    } else {
      definition.destination = stored.at("S3DestinationConfiguration");
      definition.extended = false;
    }
    if (!definition.destination.is_object() || !definition.destination.contains("BufferingHints")) {
      return bad("has no usable destination");
    }
    definition.encryption = stored.value("DeliveryStreamEncryptionConfigurationInput", json());
    definition.source = stored.value("DirectPutSourceConfiguration", json());
    definition.tags = stored.value("Tags", json::array());
  } catch (const json::exception& e) {
    // nlohmann reports type errors by exception; they end here.
    return bad(std::string("is incomplete: ") + e.what());
  }
  if (!protocol::validate_stream_name(definition.name).ok()) return bad("has an invalid stream name");
  return definition;
}

}  // namespace firehose::local
