#include "aws/endpoint.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <vector>

#include <fmt/format.h>

#include "aws/region.hpp"

namespace firehose::aws {
namespace {

// A partition and how regions are recognised as its own: the regionRegex of
// botocore's data/partitions.json plus its pseudo-region for global endpoints
// (the only listed regions that the pattern does not already cover; aws-eusc
// lists none).
struct PartitionEntry {
  Partition partition;
  const char* region_pattern;
  std::string_view global_region;
};

// Same order as partitions.json: the first matching pattern wins.
constexpr std::array<PartitionEntry, 8> kPartitions{{
    {{"aws", "amazonaws.com", "api.aws"}, R"(^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$)", "aws-global"},
    {{"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn"}, R"(^cn-\w+-\d+$)", "aws-cn-global"},
    {{"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu"}, R"(^eusc-(de)-\w+-\d+$)", ""},
    {{"aws-iso", "c2s.ic.gov", "api.aws.ic.gov"}, R"(^us-iso-\w+-\d+$)", "aws-iso-global"},
    {{"aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud"}, R"(^us-isob-\w+-\d+$)", "aws-iso-b-global"},
    {{"aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"}, R"(^eu-isoe-\w+-\d+$)", "aws-iso-e-global"},
    {{"aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov"}, R"(^us-isof-\w+-\d+$)", "aws-iso-f-global"},
    {{"aws-us-gov", "amazonaws.com", "api.aws"}, R"(^us-gov-\w+-\d+$)", "aws-us-gov-global"},
}};

const std::vector<std::regex>& partition_patterns() {
  static const std::vector<std::regex> patterns = [] {
    std::vector<std::regex> compiled;
    compiled.reserve(kPartitions.size());
    for (const auto& entry : kPartitions) compiled.emplace_back(entry.region_pattern, std::regex::ECMAScript);
    return compiled;
  }();
  return patterns;
}

std::string transform_service_id(std::string_view service_id, int (*change_case)(int)) {
  std::string out;
  out.reserve(service_id.size());
  for (unsigned char c : service_id) out += c == ' ' ? '_' : static_cast<char>(change_case(c));
  return out;
}

Error endpoint_configuration_error(std::string message) {
  return make_error(ErrorKind::Config, "InvalidEndpointConfiguration", std::move(message));
}

// The URL without trailing slashes, or an Error naming where it came from.
Result<std::string> normalize_endpoint_url(const std::string& url, std::string_view source) {
  const auto refuse = [&](std::string_view why) {
    return make_error(ErrorKind::Config, "InvalidEndpoint",
                      fmt::format("Endpoint URL '{}' (from {}) is not usable: {}; expected e.g. "
                                  "https://firehose.us-east-1.amazonaws.com or http://127.0.0.1:4573",
                                  url, source, why));
  };
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return refuse("it has no http:// or https:// scheme");
  std::string scheme = url.substr(0, scheme_end);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme != "http" && scheme != "https") return refuse("only http and https are supported");
  const auto bad_char = [](unsigned char c) { return std::isspace(c) != 0 || std::iscntrl(c) != 0; };
  if (std::any_of(url.begin(), url.end(), bad_char)) return refuse("it contains whitespace or control characters");
  if (url.find_first_of("?#") != std::string::npos) return refuse("an endpoint cannot carry a query or fragment");
  const std::size_t host_start = scheme_end + 3;
  const std::size_t host_end = std::min(url.find('/', host_start), url.size());
  if (host_end == host_start) return refuse("it has no host");

  std::string normalized = url;
  while (normalized.size() > host_end && normalized.back() == '/') normalized.pop_back();
  return normalized;
}

struct BoolSetting {
  bool value = false;
  std::string source;  // empty when nothing set it
};

Result<std::optional<bool>> parse_bool(const std::string& raw, std::string_view source) {
  std::string value = raw;
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  if (value == "true") return std::optional<bool>(true);
  if (value == "false") return std::optional<bool>(false);
  return make_error(ErrorKind::Config, "InvalidConfigValue",
                    fmt::format("{} must be true or false, not '{}'", source, raw));
}

// A boolean setting from the environment, else the profile (the SDKs' order).
Result<BoolSetting> read_bool_setting(const Environment& env, std::string_view env_name,
                                      const std::optional<ConfigSection>& profile, const std::string& profile_name,
                                      const std::string& profile_key) {
  if (auto raw = env.get_non_empty(env_name)) {
    auto parsed = parse_bool(*raw, env_name);
    if (!parsed) return parsed.error();
    return BoolSetting{**parsed, std::string(env_name)};
  }
  if (profile) {
    if (auto raw = profile->get(profile_key); raw && !raw->empty()) {
      const std::string source = fmt::format("{} in profile '{}'", profile_key, profile_name);
      auto parsed = parse_bool(*raw, source);
      if (!parsed) return parsed.error();
      return BoolSetting{**parsed, source};
    }
  }
  return BoolSetting{};
}

Result<BoolSetting> variant_setting(std::optional<bool> explicit_value, const Environment& env,
                                    std::string_view env_name, const std::optional<ConfigSection>& profile,
                                    const std::string& profile_name, const std::string& profile_key) {
  if (explicit_value) return BoolSetting{*explicit_value, "the caller's setting"};
  return read_bool_setting(env, env_name, profile, profile_name, profile_key);
}

std::string host_url(std::string_view prefix, bool fips, std::string_view region, std::string_view suffix) {
  return fmt::format("https://{}{}.{}.{}", prefix, fips ? "-fips" : "", region, suffix);
}

}  // namespace

std::string service_endpoint_env_var(std::string_view service_id) {
  return "AWS_ENDPOINT_URL_" + transform_service_id(service_id, [](int c) { return std::toupper(c); });
}

std::string service_config_key(std::string_view service_id) {
  return transform_service_id(service_id, [](int c) { return std::tolower(c); });
}

const Partition& partition_of(std::string_view region) {
  for (const auto& entry : kPartitions) {
    if (!entry.global_region.empty() && region == entry.global_region) return entry.partition;
  }
  const auto& patterns = partition_patterns();
  const std::string subject(region);
  for (std::size_t i = 0; i < kPartitions.size(); ++i) {
    if (std::regex_match(subject, patterns[i])) return kPartitions[i].partition;
  }
  return kPartitions.front().partition;
}

Result<ResolvedEndpoint> resolve_rules_endpoint(const ServiceDescriptor& service, const EndpointParams& params) {
  const bool has_region = params.region && !params.region->empty();
  if (has_region && !is_valid_region_name(*params.region)) {
    return make_error(ErrorKind::Config, "InvalidRegion",
                      fmt::format("Region '{}' is not a valid region name: expected letters, digits and hyphens, "
                                  "e.g. us-east-1.",
                                  *params.region));
  }
  const std::string region = has_region ? *params.region : std::string();

  ResolvedEndpoint resolved;
  resolved.signing_name = std::string(service.signing_name);
  resolved.signing_region = region;

  if (params.endpoint) {
    if (params.use_fips) {
      return endpoint_configuration_error("Invalid Configuration: FIPS and custom endpoint are not supported");
    }
    if (params.use_dual_stack) {
      return endpoint_configuration_error("Invalid Configuration: Dualstack and custom endpoint are not supported");
    }
    auto url = normalize_endpoint_url(*params.endpoint, "the custom endpoint");
    if (!url) return url.error();
    resolved.url = std::move(url).value();
    resolved.source = "custom endpoint";
    return resolved;
  }

  if (!has_region) {
    return make_error(ErrorKind::Config, "NoRegion",
                      fmt::format("Invalid Configuration: Missing Region: the {} endpoint is derived from the region; "
                                  "set a region (the region option, AWS_REGION or the profile's region) or an "
                                  "endpoint URL.",
                                  service.service_id));
  }

  const Partition& partition = partition_of(region);
  const bool fips = params.use_fips;
  const bool dual_stack = params.use_dual_stack;
  resolved.source = "endpoint rules";

  if (fips && partition.name == "aws-us-gov") {
    if (service.gov_cloud_fips == GovCloudFipsHost::PlainPrefix) {
      resolved.url = host_url(service.endpoint_prefix, false, region,
                              dual_stack ? partition.dual_stack_dns_suffix : partition.dns_suffix);
      return resolved;
    }
    if (service.gov_cloud_fips == GovCloudFipsHost::PlainUnlessDualStack && !dual_stack) {
      resolved.url = host_url(service.endpoint_prefix, false, region, partition.dns_suffix);
      return resolved;
    }
  }
  if (fips && dual_stack) {
    if (!partition.supports_fips || !partition.supports_dual_stack) {
      return endpoint_configuration_error(
          fmt::format("FIPS and DualStack are enabled, but partition {} does not support one or both", partition.name));
    }
    resolved.url = host_url(service.endpoint_prefix, true, region, partition.dual_stack_dns_suffix);
    return resolved;
  }
  if (fips) {
    if (!partition.supports_fips) {
      return endpoint_configuration_error(
          fmt::format("FIPS is enabled but partition {} does not support FIPS", partition.name));
    }
    resolved.url = host_url(service.endpoint_prefix, true, region, partition.dns_suffix);
    return resolved;
  }
  if (dual_stack) {
    if (!partition.supports_dual_stack) {
      return endpoint_configuration_error(
          fmt::format("DualStack is enabled but partition {} does not support DualStack", partition.name));
    }
    resolved.url = host_url(service.endpoint_prefix, false, region, partition.dual_stack_dns_suffix);
    return resolved;
  }
  if (service.has_global_region_alias && region == "aws-global") {
    resolved.url = fmt::format("https://{}.amazonaws.com", service.endpoint_prefix);
    resolved.signing_region = "us-east-1";
    return resolved;
  }
  resolved.url = host_url(service.endpoint_prefix, false, region, partition.dns_suffix);
  return resolved;
}

Result<std::optional<ConfiguredEndpoint>> find_configured_endpoint(const ServiceDescriptor& service,
                                                                   const Environment& env, const SharedConfig& config,
                                                                   const std::string& profile,
                                                                   const std::optional<std::string>& endpoint_url_flag,
                                                                   const OptionNames& names) {
  using Found = std::optional<ConfiguredEndpoint>;
  // The flag is the user's word for this one command: no setting overrides it.
  if (endpoint_url_flag && !endpoint_url_flag->empty()) {
    return Found(ConfiguredEndpoint{*endpoint_url_flag, std::string(names.endpoint_url)});
  }

  const std::optional<ConfigSection> section = config.profile(profile);
  auto ignore = read_bool_setting(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", section, profile,
                                  "ignore_configured_endpoint_urls");
  if (!ignore) return ignore.error();
  if (ignore->value) return Found();

  const std::string service_env = service_endpoint_env_var(service.service_id);
  if (auto url = env.get_non_empty(service_env)) return Found(ConfiguredEndpoint{*url, service_env});
  if (auto url = env.get_non_empty("AWS_ENDPOINT_URL")) return Found(ConfiguredEndpoint{*url, "AWS_ENDPOINT_URL"});
  if (!section) return Found();

  if (auto services_name = section->get("services"); services_name && !services_name->empty()) {
    if (const ConfigSection* services = config.services(*services_name)) {
      const std::string key = service_config_key(service.service_id);
      if (auto url = services->get_nested(key, "endpoint_url"); url && !url->empty()) {
        return Found(ConfiguredEndpoint{
            *url, fmt::format("endpoint_url of {} in [services {}] (profile '{}')", key, *services_name, profile)});
      }
    }
  }
  if (auto url = section->get("endpoint_url"); url && !url->empty()) {
    return Found(ConfiguredEndpoint{*url, fmt::format("endpoint_url in profile '{}'", profile)});
  }
  return Found();
}

Result<ResolvedEndpoint> resolve_endpoint(const ServiceDescriptor& service, const Environment& env,
                                          const SharedConfig& config, const std::string& profile,
                                          const std::optional<std::string>& endpoint_url_flag,
                                          const std::string& region, std::optional<bool> use_fips,
                                          std::optional<bool> use_dual_stack, const OptionNames& names) {
  auto configured = find_configured_endpoint(service, env, config, profile, endpoint_url_flag, names);
  if (!configured) return configured.error();

  const std::optional<ConfigSection> section = config.profile(profile);
  auto fips = variant_setting(use_fips, env, "AWS_USE_FIPS_ENDPOINT", section, profile, "use_fips_endpoint");
  if (!fips) return fips.error();
  auto dual_stack =
      variant_setting(use_dual_stack, env, "AWS_USE_DUALSTACK_ENDPOINT", section, profile, "use_dualstack_endpoint");
  if (!dual_stack) return dual_stack.error();

  EndpointParams params;
  if (!region.empty()) params.region = region;
  params.use_fips = fips->value;
  params.use_dual_stack = dual_stack->value;

  if (const auto& endpoint = *configured) {
    // Checked here rather than left to the rules so that the message can say
    // which settings collide.
    const auto collision = [&](std::string_view variant, const BoolSetting& setting) {
      return endpoint_configuration_error(
          fmt::format("Invalid Configuration: {} and custom endpoint are not supported: {} is enabled by {} while the "
                      "endpoint {} comes from {}; turn {} off or drop the endpoint URL.",
                      variant, variant, setting.source, endpoint->url, endpoint->source, variant));
    };
    if (params.use_fips) return collision("FIPS", *fips);
    if (params.use_dual_stack) return collision("Dualstack", *dual_stack);
    auto url = normalize_endpoint_url(endpoint->url, endpoint->source);
    if (!url) return url.error();
    params.endpoint = std::move(url).value();
  }

  auto resolved = resolve_rules_endpoint(service, params);
  if (!resolved) return resolved;
  if (*configured) resolved->source = (*configured)->source;
  return resolved;
}

}  // namespace firehose::aws
