#include "aws/endpoint.hpp"

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aws/region.hpp"

namespace firehose::aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

SharedConfig config_with(const std::string& text) {
  auto file = ConfigFile::parse(text);
  EXPECT_TRUE(file.ok()) << (file.ok() ? "" : file.error().to_string());
  return SharedConfig::from(file.ok() ? std::move(file).value() : ConfigFile{}, ConfigFile{});
}

// ---------------------------------------------------------------------------
// Names derived from the service id

TEST(EndpointNames, EnvironmentVariableAndConfigKeyFollowTheServiceId) {
  EXPECT_EQ(service_endpoint_env_var(kFirehoseService.service_id), "AWS_ENDPOINT_URL_FIREHOSE");
  EXPECT_EQ(service_endpoint_env_var(kCloudWatchService.service_id), "AWS_ENDPOINT_URL_CLOUDWATCH");
  EXPECT_EQ(service_endpoint_env_var(kStsService.service_id), "AWS_ENDPOINT_URL_STS");
  EXPECT_EQ(service_endpoint_env_var("Elastic Beanstalk"), "AWS_ENDPOINT_URL_ELASTIC_BEANSTALK");
  EXPECT_EQ(service_config_key(kFirehoseService.service_id), "firehose");
  EXPECT_EQ(service_config_key(kCloudWatchService.service_id), "cloudwatch");
  EXPECT_EQ(service_config_key(kStsService.service_id), "sts");
  EXPECT_EQ(service_config_key("Elastic Beanstalk"), "elastic_beanstalk");
}

TEST(EndpointNames, SigningNamesAndPrefixes) {
  EXPECT_EQ(kFirehoseService.signing_name, "firehose");
  EXPECT_EQ(kCloudWatchService.signing_name, "monitoring");
  EXPECT_EQ(kCloudWatchService.endpoint_prefix, "monitoring");
  EXPECT_EQ(kStsService.signing_name, "sts");
}

// ---------------------------------------------------------------------------
// Partitions

TEST(Partition, RegionsMapToTheirPartitions) {
  const std::map<std::string, std::string> expected{
      {"us-east-1", "aws"},
      {"il-central-1", "aws"},
      {"mx-central-1", "aws"},
      {"aws-global", "aws"},
      {"cn-north-1", "aws-cn"},
      {"aws-cn-global", "aws-cn"},
      {"eusc-de-east-1", "aws-eusc"},
      {"us-iso-east-1", "aws-iso"},
      {"us-isob-east-1", "aws-iso-b"},
      {"eu-isoe-west-1", "aws-iso-e"},
      {"us-isof-south-1", "aws-iso-f"},
      {"us-gov-west-1", "aws-us-gov"},
      {"aws-us-gov-global", "aws-us-gov"},
      // Unknown regions fall back to aws, as botocore does.
      {"fake-region-10", "aws"},
      {"mars-north-1", "aws"},
      {"US-EAST-1", "aws"},
  };
  for (const auto& [region, partition] : expected) EXPECT_EQ(partition_of(region).name, partition) << region;
  EXPECT_EQ(partition_of("").name, "aws");
  EXPECT_EQ(partition_of("cn-north-1").dns_suffix, "amazonaws.com.cn");
  EXPECT_EQ(partition_of("cn-north-1").dual_stack_dns_suffix, "api.amazonwebservices.com.cn");
}

// ---------------------------------------------------------------------------
// Rule sets: hand-written cases beyond the conformance files

EndpointParams params_for(std::optional<std::string> region, bool fips = false, bool dual_stack = false,
                          std::optional<std::string> endpoint = std::nullopt) {
  EndpointParams params;
  params.region = std::move(region);
  params.use_fips = fips;
  params.use_dual_stack = dual_stack;
  params.endpoint = std::move(endpoint);
  return params;
}

std::string rules_url(const ServiceDescriptor& service, const EndpointParams& params) {
  auto resolved = resolve_rules_endpoint(service, params);
  if (!resolved.ok()) return "error: " + resolved.error().to_string();
  return resolved->url;
}

TEST(EndpointRules, StsIsRegionalWithAGlobalAlias) {
  EXPECT_EQ(rules_url(kStsService, params_for("us-west-2")), "https://sts.us-west-2.amazonaws.com");
  EXPECT_EQ(rules_url(kStsService, params_for("us-east-1")), "https://sts.us-east-1.amazonaws.com");
  EXPECT_EQ(rules_url(kStsService, params_for("cn-north-1")), "https://sts.cn-north-1.amazonaws.com.cn");
  auto global = resolve_rules_endpoint(kStsService, params_for("aws-global"));
  ASSERT_TRUE(global.ok());
  EXPECT_EQ(global->url, "https://sts.amazonaws.com");
  EXPECT_EQ(global->signing_region, "us-east-1");
  EXPECT_EQ(global->signing_name, "sts");
  // The alias is STS's alone.
  EXPECT_EQ(rules_url(kFirehoseService, params_for("aws-global")), "https://firehose.aws-global.amazonaws.com");
}

TEST(EndpointRules, GovCloudFipsHostsDifferPerService) {
  EXPECT_EQ(rules_url(kStsService, params_for("us-gov-west-1", true)), "https://sts.us-gov-west-1.amazonaws.com");
  EXPECT_EQ(rules_url(kStsService, params_for("us-gov-west-1", true, true)), "https://sts-fips.us-gov-west-1.api.aws");
  EXPECT_EQ(rules_url(kCloudWatchService, params_for("us-gov-east-1", true)),
            "https://monitoring.us-gov-east-1.amazonaws.com");
  EXPECT_EQ(rules_url(kFirehoseService, params_for("us-gov-west-1", true)),
            "https://firehose-fips.us-gov-west-1.amazonaws.com");
  // Outside GovCloud, STS FIPS is an ordinary -fips host.
  EXPECT_EQ(rules_url(kStsService, params_for("us-east-2", true)), "https://sts-fips.us-east-2.amazonaws.com");
}

TEST(EndpointRules, DualStackSuffixesOfOtherPartitions) {
  EXPECT_EQ(rules_url(kFirehoseService, params_for("eusc-de-east-1", false, true)),
            "https://firehose.eusc-de-east-1.api.amazonwebservices.eu");
  EXPECT_EQ(rules_url(kFirehoseService, params_for("us-iso-east-1", false, true)),
            "https://firehose.us-iso-east-1.api.aws.ic.gov");
}

TEST(EndpointRules, SigningRegionIsTheRegion) {
  auto resolved = resolve_rules_endpoint(kCloudWatchService, params_for("eu-central-1"));
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->signing_region, "eu-central-1");
  EXPECT_EQ(resolved->signing_name, "monitoring");
  auto custom = resolve_rules_endpoint(kFirehoseService, params_for(std::nullopt, false, false, "http://127.0.0.1:9"));
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(custom->signing_region, "");
}

TEST(EndpointRules, RefusesBadRegionsAndEndpoints) {
  auto bad_region = resolve_rules_endpoint(kFirehoseService, params_for("us-east-1.attacker.example"));
  ASSERT_FALSE(bad_region.ok());
  EXPECT_EQ(bad_region.error().code, "InvalidRegion");
  EXPECT_EQ(bad_region.error().kind, ErrorKind::Config);

  auto empty_region = resolve_rules_endpoint(kFirehoseService, params_for(std::string()));
  ASSERT_FALSE(empty_region.ok());
  EXPECT_EQ(empty_region.error().code, "NoRegion");

  for (const char* url :
       {"localhost:4573", "ftp://example.com", "https://", "https:///path", "http://a b", "https://example.com/?x=1"}) {
    auto resolved = resolve_rules_endpoint(kFirehoseService, params_for("us-east-1", false, false, url));
    ASSERT_FALSE(resolved.ok()) << url;
    EXPECT_EQ(resolved.error().code, "InvalidEndpoint") << url;
    EXPECT_EQ(resolved.error().kind, ErrorKind::Config) << url;
  }
}

TEST(EndpointRules, CustomEndpointLosesTrailingSlashesOnly) {
  EXPECT_EQ(rules_url(kFirehoseService, params_for("us-east-1", false, false, "http://127.0.0.1:4573/")),
            "http://127.0.0.1:4573");
  EXPECT_EQ(rules_url(kFirehoseService, params_for("us-east-1", false, false, "https://proxy.example/firehose//")),
            "https://proxy.example/firehose");
  EXPECT_EQ(rules_url(kFirehoseService, params_for("us-east-1", false, false, "HTTPS://Example.com")),
            "HTTPS://Example.com");
}

// ---------------------------------------------------------------------------
// Rule sets: the conformance files

std::optional<json> load_shared_json(const std::string& name) {
  const fs::path path = fs::path(FIREHOSE_SHARED_DIR) / "conformance" / "endpoints" / name;
  std::ifstream in(path);
  if (!in) return std::nullopt;
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// Runs every case of a Smithy endpoint test file: expected URLs must match
// exactly (the signing region being the Region parameter, as these rule sets
// set no auth scheme), expected errors must be refused as Config errors whose
// message carries the rule set's text.
void run_rule_cases(const ServiceDescriptor& service, const std::string& file, std::size_t minimum_cases) {
  const auto suite = load_shared_json(file);
  if (!suite) GTEST_SKIP() << "conformance data not found under " << FIREHOSE_SHARED_DIR;
  ASSERT_FALSE(suite->is_discarded()) << file << " is not valid JSON";
  const json& cases = suite->at("testCases");
  std::size_t successes = 0;
  std::size_t errors = 0;
  for (const json& test_case : cases) {
    SCOPED_TRACE(test_case.value("documentation", std::string("?")));
    const json params_json = test_case.value("params", json::object());
    EndpointParams params;
    if (params_json.contains("Region")) params.region = params_json["Region"].get<std::string>();
    params.use_fips = params_json.value("UseFIPS", false);
    params.use_dual_stack = params_json.value("UseDualStack", false);
    if (params_json.contains("Endpoint")) params.endpoint = params_json["Endpoint"].get<std::string>();

    auto resolved = resolve_rules_endpoint(service, params);
    const json& expect = test_case.at("expect");
    if (expect.contains("endpoint")) {
      ++successes;
      ASSERT_TRUE(resolved.ok()) << resolved.error().to_string();
      EXPECT_EQ(resolved->url, expect["endpoint"]["url"].get<std::string>());
      EXPECT_EQ(resolved->signing_name, service.signing_name);
      EXPECT_EQ(resolved->signing_region, params.region.value_or(""));
    } else {
      ++errors;
      ASSERT_FALSE(resolved.ok()) << "resolved to " << resolved->url;
      EXPECT_EQ(resolved.error().kind, ErrorKind::Config);
      EXPECT_NE(resolved.error().message.find(expect.at("error").get<std::string>()), std::string::npos)
          << resolved.error().message;
    }
  }
  EXPECT_GE(successes + errors, minimum_cases);
  EXPECT_GT(errors, 0U);
}

TEST(EndpointRulesConformance, Firehose) { run_rule_cases(kFirehoseService, "firehose-endpoint-tests.json", 40); }

TEST(EndpointRulesConformance, CloudWatch) { run_rule_cases(kCloudWatchService, "cloudwatch-endpoint-tests.json", 20); }

// ---------------------------------------------------------------------------
// Configured endpoints: precedence

const char* kEndpointProfiles =
    "[default]\nregion = us-east-1\n"
    "[profile both]\n"
    "region = eu-west-1\n"
    "endpoint_url = https://profile.example\n"
    "services = local\n"
    "[profile global-only]\n"
    "endpoint_url = https://profile.example/\n"
    "[profile ignoring]\n"
    "endpoint_url = https://profile.example\n"
    "ignore_configured_endpoint_urls = true\n"
    "[profile fips]\n"
    "use_fips_endpoint = true\n"
    "use_dualstack_endpoint = false\n"
    "[profile dual]\n"
    "use_dualstack_endpoint = TRUE\n"
    "[profile broken]\n"
    "use_fips_endpoint = sometimes\n"
    "[services local]\n"
    "firehose =\n"
    "  endpoint_url = http://127.0.0.1:4573\n"
    "sts =\n"
    "  endpoint_url = http://127.0.0.1:4574\n";

std::string endpoint_url(const ServiceDescriptor& service, const std::map<std::string, std::string>& env,
                         const std::string& profile, std::optional<std::string> flag = std::nullopt,
                         const std::string& region = "us-east-1") {
  auto resolved =
      resolve_endpoint(service, Environment::from_map(env), config_with(kEndpointProfiles), profile, flag, region);
  if (!resolved.ok()) return "error: " + resolved.error().to_string();
  return resolved->url;
}

TEST(ConfiguredEndpoint, PrecedenceFromFlagDownToDefault) {
  const std::map<std::string, std::string> all_env{{"AWS_ENDPOINT_URL_FIREHOSE", "https://service-env.example"},
                                                   {"AWS_ENDPOINT_URL", "https://global-env.example"}};
  EXPECT_EQ(endpoint_url(kFirehoseService, all_env, "both", "https://flag.example"), "https://flag.example");
  EXPECT_EQ(endpoint_url(kFirehoseService, all_env, "both"), "https://service-env.example");
  EXPECT_EQ(endpoint_url(kFirehoseService, {{"AWS_ENDPOINT_URL", "https://global-env.example"}}, "both"),
            "https://global-env.example");
  EXPECT_EQ(endpoint_url(kFirehoseService, {}, "both"), "http://127.0.0.1:4573");
  // CloudWatch has no block in [services local]: the profile's own endpoint_url applies.
  EXPECT_EQ(endpoint_url(kCloudWatchService, {}, "both"), "https://profile.example");
  EXPECT_EQ(endpoint_url(kFirehoseService, {}, "global-only"), "https://profile.example");
  EXPECT_EQ(endpoint_url(kFirehoseService, {}, "default"), "https://firehose.us-east-1.amazonaws.com");
  EXPECT_EQ(endpoint_url(kCloudWatchService, {}, "default", std::nullopt, "eu-north-1"),
            "https://monitoring.eu-north-1.amazonaws.com");
  EXPECT_EQ(endpoint_url(kStsService, {}, "both"), "http://127.0.0.1:4574");
}

TEST(ConfiguredEndpoint, ServiceSpecificVariablesOnlyApplyToTheirService) {
  const std::map<std::string, std::string> env{{"AWS_ENDPOINT_URL_CLOUDWATCH", "http://127.0.0.1:1"}};
  EXPECT_EQ(endpoint_url(kFirehoseService, env, "default"), "https://firehose.us-east-1.amazonaws.com");
  EXPECT_EQ(endpoint_url(kCloudWatchService, env, "default"), "http://127.0.0.1:1");
  EXPECT_EQ(endpoint_url(kStsService, {{"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2"}}, "default"),
            "http://127.0.0.1:2");
  // Empty values are unset values.
  EXPECT_EQ(endpoint_url(kFirehoseService, {{"AWS_ENDPOINT_URL_FIREHOSE", ""}}, "default"),
            "https://firehose.us-east-1.amazonaws.com");
}

TEST(ConfiguredEndpoint, IgnoreSwitchesDropEverythingButTheFlag) {
  const std::map<std::string, std::string> ignoring_env{{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"},
                                                        {"AWS_ENDPOINT_URL", "https://global-env.example"}};
  EXPECT_EQ(endpoint_url(kFirehoseService, ignoring_env, "both"), "https://firehose.us-east-1.amazonaws.com");
  EXPECT_EQ(endpoint_url(kFirehoseService, ignoring_env, "both", "http://127.0.0.1:9"), "http://127.0.0.1:9");
  EXPECT_EQ(endpoint_url(kFirehoseService, {{"AWS_ENDPOINT_URL", "https://global-env.example"}}, "ignoring"),
            "https://firehose.us-east-1.amazonaws.com");
  EXPECT_EQ(endpoint_url(kFirehoseService, {}, "ignoring", "http://127.0.0.1:9"), "http://127.0.0.1:9");
  // The environment outranks the profile for this setting too.
  EXPECT_EQ(endpoint_url(kFirehoseService, {{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"}}, "ignoring"),
            "https://profile.example");
  auto bad = resolve_endpoint(kFirehoseService, Environment::from_map({{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yup"}}),
                              config_with(kEndpointProfiles), "default", std::nullopt, "us-east-1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "InvalidConfigValue");
  EXPECT_NE(bad.error().message.find("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), std::string::npos);
}

TEST(ConfiguredEndpoint, ReportsWhereTheUrlCameFrom) {
  const SharedConfig config = config_with(kEndpointProfiles);
  auto from_services =
      resolve_endpoint(kFirehoseService, Environment::from_map({}), config, "both", std::nullopt, "eu-west-1");
  ASSERT_TRUE(from_services.ok());
  EXPECT_NE(from_services->source.find("[services local]"), std::string::npos) << from_services->source;
  EXPECT_EQ(from_services->signing_region, "eu-west-1");
  EXPECT_EQ(from_services->signing_name, "firehose");
  auto from_env = resolve_endpoint(kCloudWatchService,
                                   Environment::from_map({{"AWS_ENDPOINT_URL_CLOUDWATCH", "http://127.0.0.1:1/"}}),
                                   config, "default", std::nullopt, "us-east-1");
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->url, "http://127.0.0.1:1");
  EXPECT_EQ(from_env->source, "AWS_ENDPOINT_URL_CLOUDWATCH");
  EXPECT_EQ(from_env->signing_name, "monitoring");
}

TEST(ConfiguredEndpoint, FipsAndDualStackFromArgumentsEnvironmentAndProfile) {
  EXPECT_EQ(endpoint_url(kFirehoseService, {{"AWS_USE_FIPS_ENDPOINT", "true"}}, "default"),
            "https://firehose-fips.us-east-1.amazonaws.com");
  EXPECT_EQ(endpoint_url(kFirehoseService, {}, "fips"), "https://firehose-fips.us-east-1.amazonaws.com");
  EXPECT_EQ(endpoint_url(kFirehoseService, {{"AWS_USE_FIPS_ENDPOINT", "false"}}, "fips"),
            "https://firehose.us-east-1.amazonaws.com");
  EXPECT_EQ(endpoint_url(kCloudWatchService, {}, "dual"), "https://monitoring.us-east-1.api.aws");
  EXPECT_EQ(
      endpoint_url(kCloudWatchService, {{"AWS_USE_DUALSTACK_ENDPOINT", "true"}, {"AWS_USE_FIPS_ENDPOINT", "true"}},
                   "default", std::nullopt, "cn-north-1"),
      "https://monitoring-fips.cn-north-1.api.amazonwebservices.com.cn");

  const SharedConfig config = config_with(kEndpointProfiles);
  auto explicit_off = resolve_endpoint(kFirehoseService, Environment::from_map({{"AWS_USE_FIPS_ENDPOINT", "true"}}),
                                       config, "fips", std::nullopt, "us-west-2", false, false);
  ASSERT_TRUE(explicit_off.ok());
  EXPECT_EQ(explicit_off->url, "https://firehose.us-west-2.amazonaws.com");
  auto explicit_on = resolve_endpoint(kFirehoseService, Environment::from_map({}), config, "default", std::nullopt,
                                      "us-west-2", true, true);
  ASSERT_TRUE(explicit_on.ok());
  EXPECT_EQ(explicit_on->url, "https://firehose-fips.us-west-2.api.aws");

  auto broken =
      resolve_endpoint(kFirehoseService, Environment::from_map({}), config, "broken", std::nullopt, "us-west-2");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, "InvalidConfigValue");
  EXPECT_NE(broken.error().message.find("use_fips_endpoint"), std::string::npos);
  EXPECT_NE(broken.error().message.find("sometimes"), std::string::npos);
}

TEST(ConfiguredEndpoint, FipsOrDualStackWithAConfiguredEndpointIsRefusedNamingBothSources) {
  const SharedConfig config = config_with(kEndpointProfiles);
  auto fips = resolve_endpoint(kFirehoseService, Environment::from_map({{"AWS_USE_FIPS_ENDPOINT", "true"}}), config,
                               "default", std::string("http://127.0.0.1:4573"), "us-east-1");
  ASSERT_FALSE(fips.ok());
  EXPECT_EQ(fips.error().kind, ErrorKind::Config);
  EXPECT_NE(fips.error().message.find("FIPS and custom endpoint are not supported"), std::string::npos);
  EXPECT_NE(fips.error().message.find("AWS_USE_FIPS_ENDPOINT"), std::string::npos);
  EXPECT_NE(fips.error().message.find("SessionOptions::endpoint_url"), std::string::npos);

  auto dual = resolve_endpoint(kFirehoseService, Environment::from_map({}), config, "dual", std::nullopt, "us-east-1");
  EXPECT_TRUE(dual.ok());  // no endpoint configured for that profile: dual-stack is fine
  auto dual_with_env =
      resolve_endpoint(kFirehoseService, Environment::from_map({{"AWS_ENDPOINT_URL", "https://global-env.example"}}),
                       config, "dual", std::nullopt, "us-east-1");
  ASSERT_FALSE(dual_with_env.ok());
  EXPECT_NE(dual_with_env.error().message.find("Dualstack and custom endpoint are not supported"), std::string::npos);
  EXPECT_NE(dual_with_env.error().message.find("use_dualstack_endpoint in profile 'dual'"), std::string::npos);
  EXPECT_NE(dual_with_env.error().message.find("AWS_ENDPOINT_URL"), std::string::npos);
}

TEST(ConfiguredEndpoint, InvalidConfiguredUrlNamesItsSource) {
  auto resolved = resolve_endpoint(kFirehoseService, Environment::from_map({{"AWS_ENDPOINT_URL", "localhost:4573"}}),
                                   config_with(kEndpointProfiles), "default", std::nullopt, "us-east-1");
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.error().code, "InvalidEndpoint");
  EXPECT_NE(resolved.error().message.find("AWS_ENDPOINT_URL"), std::string::npos);
}

TEST(ConfiguredEndpoint, NoRegionIsFineWithAnEndpointButNotWithout) {
  auto with_endpoint = resolve_endpoint(kFirehoseService, Environment::from_map({}), config_with(kEndpointProfiles),
                                        "default", std::string("http://127.0.0.1:4573"), "");
  ASSERT_TRUE(with_endpoint.ok());
  EXPECT_EQ(with_endpoint->url, "http://127.0.0.1:4573");
  auto without = resolve_endpoint(kFirehoseService, Environment::from_map({}), config_with(kEndpointProfiles),
                                  "default", std::nullopt, "");
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.error().code, "NoRegion");
}

// ---------------------------------------------------------------------------
// Configured endpoints: configured-endpoint-url-tests.json
//
// The file's cases are written for S3 and DynamoDB clients. The logic they
// test (flag > AWS_ENDPOINT_URL_<SERVICE> > AWS_ENDPOINT_URL > [services]
// block > profile endpoint_url, and the ignore switches) does not depend on
// the service, so every case runs twice:
//  - as written, with descriptors for S3 and DynamoDB built here (service ids
//    "S3" and "DynamoDB"; the default-endpoint cases expect
//    https://s3.fake-region-10.amazonaws.com, which the generic rules give for
//    an unknown region just as S3's own rule set does);
//  - mapped onto each of our services: S3's variable, [services] key and
//    default host become the target service's, DynamoDB's become another of
//    ours, and the expected URLs otherwise stay as written.
// Included: every case whose client config is empty or sets endpoint_url (the
// flag); "provide_and_ignore_configured_endpoint_urls" runs as the flag alone,
// since the flag wins whatever the ignore switches say. Excluded: the one case
// whose client config sets ignore_configured_endpoint_urls without an
// endpoint_url: our API has no client-side ignore switch (only the
// environment and profile ones, which other cases cover).

struct ServiceMapping {
  ServiceDescriptor descriptor;
  std::string env_var;
  std::string config_key;
  std::string default_url;  // for region fake-region-10
};

struct ConformanceMapping {
  std::string label;
  ServiceMapping s3;
  ServiceMapping dynamodb;
};

constexpr ServiceDescriptor kS3ForTests{"S3", "s3", "s3"};
constexpr ServiceDescriptor kDynamoDbForTests{"DynamoDB", "dynamodb", "dynamodb"};

std::vector<ConformanceMapping> conformance_mappings() {
  const ServiceMapping firehose{kFirehoseService, "AWS_ENDPOINT_URL_FIREHOSE", "firehose",
                                "https://firehose.fake-region-10.amazonaws.com"};
  const ServiceMapping cloudwatch{kCloudWatchService, "AWS_ENDPOINT_URL_CLOUDWATCH", "cloudwatch",
                                  "https://monitoring.fake-region-10.amazonaws.com"};
  const ServiceMapping sts{kStsService, "AWS_ENDPOINT_URL_STS", "sts", "https://sts.fake-region-10.amazonaws.com"};
  return {
      {"as written",
       {kS3ForTests, "AWS_ENDPOINT_URL_S3", "s3", "https://s3.fake-region-10.amazonaws.com"},
       {kDynamoDbForTests, "AWS_ENDPOINT_URL_DYNAMODB", "dynamodb", "https://dynamodb.fake-region-10.amazonaws.com"}},
      {"s3 as firehose", firehose, cloudwatch},
      {"s3 as cloudwatch", cloudwatch, sts},
      {"s3 as sts", sts, firehose},
  };
}

std::string rename_key(const std::string& key, const ConformanceMapping& mapping) {
  if (key == "AWS_ENDPOINT_URL_S3") return mapping.s3.env_var;
  if (key == "AWS_ENDPOINT_URL_DYNAMODB") return mapping.dynamodb.env_var;
  if (key == "s3") return mapping.s3.config_key;
  if (key == "dynamodb") return mapping.dynamodb.config_key;
  return key;
}

std::string config_text(const json& suite, const ConformanceMapping& mapping) {
  std::string text;
  for (const auto& [name, settings] : suite.at("profiles").items()) {
    text += name == "default" ? "[default]\n" : "[profile " + name + "]\n";
    for (const auto& [key, value] : settings.items()) text += key + " = " + value.get<std::string>() + "\n";
  }
  for (const auto& [name, blocks] : suite.at("services").items()) {
    text += "[services " + name + "]\n";
    for (const auto& [service, settings] : blocks.items()) {
      text += rename_key(service, mapping) + " =\n";
      for (const auto& [key, value] : settings.items()) text += "  " + key + " = " + value.get<std::string>() + "\n";
    }
  }
  return text;
}

TEST(ConfiguredEndpointConformance, SharedTestSuite) {
  const auto document = load_shared_json("configured-endpoint-url-tests.json");
  if (!document) GTEST_SKIP() << "conformance data not found under " << FIREHOSE_SHARED_DIR;
  ASSERT_FALSE(document->is_discarded());
  std::size_t ran = 0;
  std::size_t excluded = 0;
  for (const json& suite : document->at("testSuites")) {
    for (const ConformanceMapping& mapping : conformance_mappings()) {
      SCOPED_TRACE(mapping.label);
      const SharedConfig config = config_with(config_text(suite, mapping));
      for (const json& test_case : suite.at("endpointUrlTests")) {
        SCOPED_TRACE(test_case.at("name").get<std::string>());
        const json& client = suite.at("client_configs").at(test_case.at("client_config").get<std::string>());
        std::optional<std::string> flag;
        if (client.contains("endpoint_url")) flag = client["endpoint_url"].get<std::string>();
        if (client.value("ignore_configured_endpoint_urls", false) && !flag) {
          ++excluded;
          continue;
        }
        std::map<std::string, std::string> variables;
        for (const auto& [key, value] :
             suite.at("environments").at(test_case.at("environment").get<std::string>()).items()) {
          variables[rename_key(key, mapping)] = value.get<std::string>();
        }
        const Environment env = Environment::from_map(variables);
        const std::string service = test_case.at("service").get<std::string>();
        ASSERT_TRUE(service == "s3" || service == "dynamodb") << service;
        const ServiceMapping& target = service == "s3" ? mapping.s3 : mapping.dynamodb;
        const std::string profile = test_case.at("profile").get<std::string>();

        auto region = resolve_region(env, config, profile, std::nullopt);
        ASSERT_TRUE(region.ok()) << region.error().to_string();
        auto resolved = resolve_endpoint(target.descriptor, env, config, profile, flag, *region);
        ASSERT_TRUE(resolved.ok()) << resolved.error().to_string();

        std::string expected = test_case.at("output").at("endpointUrl").get<std::string>();
        if (expected == "https://s3.fake-region-10.amazonaws.com") expected = mapping.s3.default_url;
        if (expected == "https://dynamodb.fake-region-10.amazonaws.com") expected = mapping.dynamodb.default_url;
        EXPECT_EQ(resolved->url, expected);
        ++ran;
      }
    }
  }
  const std::size_t mappings = conformance_mappings().size();
  EXPECT_EQ(excluded, mappings);  // exactly the one case described above, once per mapping
  EXPECT_GE(ran, 30 * mappings);
}

}  // namespace
}  // namespace firehose::aws
