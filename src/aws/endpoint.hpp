#pragma once
// Where a service's requests go and how they are signed: the Smithy endpoint
// rule sets of firehose, monitoring (CloudWatch) and sts reduced to what they
// decide, plus the SDKs' "configured endpoint URL" sources (flag, environment,
// shared config) that override them.
#include <optional>
#include <string>
#include <string_view>

#include "aws/config_file.hpp"
#include "aws/environment.hpp"
#include "firehose/result.hpp"

namespace firehose::aws {

// How the rule set names the host when FIPS is on in aws-us-gov, where some
// services' ordinary endpoints are already FIPS-validated.
enum class GovCloudFipsHost {
  FipsPrefix,            // firehose: firehose-fips.{region}...
  PlainPrefix,           // monitoring: monitoring.{region}..., with or without dual-stack
  PlainUnlessDualStack,  // sts: sts.{region}.amazonaws.com, but sts-fips.{region}.api.aws
};

// What endpoint resolution needs to know about a service.
struct ServiceDescriptor {
  std::string_view service_id;       // the SDK service id: names AWS_ENDPOINT_URL_<ID> and [services] keys
  std::string_view endpoint_prefix;  // first label of the default host
  std::string_view signing_name;     // SigV4 service name
  GovCloudFipsHost gov_cloud_fips = GovCloudFipsHost::FipsPrefix;
  bool has_global_region_alias =
      false;  // region "aws-global" means https://{prefix}.amazonaws.com, signed for us-east-1
};

inline constexpr ServiceDescriptor kFirehoseService{"Firehose", "firehose", "firehose", GovCloudFipsHost::FipsPrefix,
                                                    false};
inline constexpr ServiceDescriptor kCloudWatchService{"CloudWatch", "monitoring", "monitoring",
                                                      GovCloudFipsHost::PlainPrefix, false};
inline constexpr ServiceDescriptor kStsService{"STS", "sts", "sts", GovCloudFipsHost::PlainUnlessDualStack, true};
// S3 as `firehose verify` reads it (AWS_ENDPOINT_URL_S3, [services] s3 =):
// regional hosts s3.{region}.amazonaws.com, s3-fips.{region}... with FIPS.
inline constexpr ServiceDescriptor kS3Service{"S3", "s3", "s3", GovCloudFipsHost::FipsPrefix, false};

// AWS_ENDPOINT_URL_<service id upper-cased, spaces as underscores>, e.g. AWS_ENDPOINT_URL_FIREHOSE.
std::string service_endpoint_env_var(std::string_view service_id);
// The service's key inside a [services NAME] section: the id lower-cased, spaces as underscores.
std::string service_config_key(std::string_view service_id);

// An AWS partition as the rule sets' aws.partition() function reports it.
struct Partition {
  std::string_view name;
  std::string_view dns_suffix;
  std::string_view dual_stack_dns_suffix;
  bool supports_fips = true;
  bool supports_dual_stack = true;
};

// The partition of `region`: a listed pseudo-region (aws-global, ...), else the
// first partition whose region pattern matches, else aws (as botocore does for
// regions it has never heard of).
const Partition& partition_of(std::string_view region);

struct ResolvedEndpoint {
  std::string url;             // scheme://host[:port][/path], never a trailing slash
  std::string signing_region;  // empty only for a custom endpoint used without any region
  std::string signing_name;
  std::string source;  // where the URL came from (the option's name, "AWS_ENDPOINT_URL", "endpoint rules", ...)
};

// The inputs of a service's endpoint rule set (Region, UseFIPS, UseDualStack, Endpoint).
struct EndpointParams {
  std::optional<std::string> region;  // empty counts as unset
  bool use_fips = false;
  bool use_dual_stack = false;
  std::optional<std::string> endpoint;  // a custom endpoint URL
};

// Evaluates the service's rule set. Refused (ErrorKind::Config): a custom
// endpoint together with FIPS or dual-stack ("InvalidEndpointConfiguration"),
// no region and no custom endpoint ("NoRegion"), a region that is not a DNS
// label ("InvalidRegion"), a custom endpoint that is not an http(s) URL
// ("InvalidEndpoint"), a variant the partition does not offer.
Result<ResolvedEndpoint> resolve_rules_endpoint(const ServiceDescriptor& service, const EndpointParams& params);

// An endpoint URL the user configured, and where.
struct ConfiguredEndpoint {
  std::string url;
  std::string source;
};

// What messages call the explicit options (SessionOptions' *_option_name).
struct OptionNames {
  std::string_view region = "SessionOptions::region";
  std::string_view endpoint_url = "SessionOptions::endpoint_url";
};

// The first configured endpoint URL, in the SDKs' order: the flag;
// AWS_ENDPOINT_URL_<SERVICE>; AWS_ENDPOINT_URL; `endpoint_url` in the
// service's block of the profile's `services` section; the profile's
// `endpoint_url`. All but the flag are skipped when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (else the profile's
// ignore_configured_endpoint_urls) is true. nullopt when none applies; an
// Error when a boolean setting is neither true nor false.
Result<std::optional<ConfiguredEndpoint>> find_configured_endpoint(const ServiceDescriptor& service,
                                                                   const Environment& env, const SharedConfig& config,
                                                                   const std::string& profile,
                                                                   const std::optional<std::string>& endpoint_url_flag,
                                                                   const OptionNames& names = {});

// The endpoint a client of `service` uses: the configured endpoint if any,
// else the rule set's default for `region` (empty = no region). FIPS and
// dual-stack come from the arguments when given, else AWS_USE_FIPS_ENDPOINT /
// AWS_USE_DUALSTACK_ENDPOINT, else the profile's use_fips_endpoint /
// use_dualstack_endpoint. Unlike botocore, which silently drops FIPS and
// dual-stack when an endpoint URL is configured, the combination is refused
// (as the rule sets and the Go/JS/Java SDKs do): the user asked for two
// contradictory things.
Result<ResolvedEndpoint> resolve_endpoint(const ServiceDescriptor& service, const Environment& env,
                                          const SharedConfig& config, const std::string& profile,
                                          const std::optional<std::string>& endpoint_url_flag,
                                          const std::string& region, std::optional<bool> use_fips = std::nullopt,
                                          std::optional<bool> use_dual_stack = std::nullopt,
                                          const OptionNames& names = {});

}  // namespace firehose::aws
