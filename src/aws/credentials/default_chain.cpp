#include "aws/credentials/default_chain.hpp"

#include <fmt/format.h>

#include "aws/credentials/assume_role_provider.hpp"
#include "aws/credentials/chain_provider.hpp"
#include "aws/credentials/environment_provider.hpp"
#include "aws/credentials/imds_provider.hpp"
#include "aws/credentials/process_provider.hpp"
#include "aws/credentials/profile_provider.hpp"
#include "aws/credentials/sso_provider.hpp"
#include "aws/credentials/sts_client.hpp"
#include "aws/credentials/web_identity_provider.hpp"

namespace firehose::aws {
namespace {

constexpr const char* kDefaultStsRegion = "us-east-1";

HttpClientPtr curl_with_timeout(std::chrono::milliseconds timeout) {
  HttpOptions options;
  options.connect_timeout = timeout;
  options.request_timeout = timeout;
  return make_curl_http_client(options);
}

// botocore's profile chain for a role's source profile: everything a profile
// can hold, without the environment.
CredentialsProviderPtr source_profile_chain(const Environment& env, const ProfileContext& source,
                                            const std::shared_ptr<const StsClient>& sts, const WallClock& clock,
                                            std::chrono::milliseconds process_timeout) {
  return std::make_shared<ChainProvider>(std::vector<CredentialsProviderPtr>{
      std::make_shared<WebIdentityProvider>(env, source, sts, /*use_environment=*/false, clock),
      std::make_shared<SsoProvider>(source),
      std::make_shared<ProfileProvider>(source, ProfileFile::Credentials),
      std::make_shared<ProcessProvider>(source, process_timeout),
      std::make_shared<ProfileProvider>(source, ProfileFile::Config),
  });
}

}  // namespace

Result<std::string> default_sts_endpoint(const std::string& region) {
  if (region.empty() || region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return make_error(ErrorKind::Config, "InvalidRegion", fmt::format("'{}' is not a valid region name", region));
  }
  const char* suffix = region.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
  return fmt::format("https://sts.{}.{}", region, suffix);
}

Result<std::vector<CredentialsProviderPtr>> make_default_credentials_providers(DefaultChainOptions options) {
  if (!options.profiles) {
    auto loaded = ProfileContext::load(options.env, options.explicit_profile);
    if (!loaded) return loaded.error();
    options.profiles = std::move(loaded).value();
  }
  const ProfileContext& profiles = *options.profiles;
  const auto profile_section = profiles.section();
  if (!profile_section && profiles.profile != "default") {
    return make_error(ErrorKind::Config, "ProfileNotFound", profiles.not_found_message());
  }

  const std::string region = options.region.empty() ? kDefaultStsRegion : options.region;
  auto endpoint = options.sts_endpoint ? options.sts_endpoint(region) : default_sts_endpoint(region);
  if (!endpoint) return endpoint.error();
  if (!options.sts_http) options.sts_http = make_curl_http_client();
  auto sts = std::make_shared<const StsClient>(*endpoint, region, options.sts_http, options.clock);

  const ImdsSettings imds_settings = ImdsSettings::resolve(options.env, profile_section);
  if (!options.imds_http) options.imds_http = curl_with_timeout(imds_settings.timeout);
  if (!options.container_http) options.container_http = curl_with_timeout(std::chrono::seconds(2));

  const Environment env = options.env;
  auto container = std::make_shared<ContainerProvider>(env, options.container_http, options.container);
  auto imds = std::make_shared<ImdsProvider>(imds_settings, options.imds_http);

  RoleSourceProviders sources;
  const WallClock clock = options.clock;
  const auto process_timeout = options.process_timeout;
  sources.for_profile = [env, sts, clock, process_timeout](const ProfileContext& source) {
    return source_profile_chain(env, source, sts, clock, process_timeout);
  };
  sources.for_credential_source = [env, container, imds](const std::string& name) -> CredentialsProviderPtr {
    if (name == "Environment") return std::make_shared<EnvironmentProvider>(env);
    if (name == "Ec2InstanceMetadata") return imds;
    if (name == "EcsContainer") return container;
    return nullptr;
  };

  std::vector<CredentialsProviderPtr> chain;
  if (!options.explicit_profile || options.explicit_profile->empty()) {
    chain.push_back(std::make_shared<EnvironmentProvider>(env));
  }
  chain.push_back(std::make_shared<AssumeRoleProvider>(profiles, sts, sources, clock));
  chain.push_back(std::make_shared<WebIdentityProvider>(env, profiles, sts, /*use_environment=*/true, clock));
  chain.push_back(std::make_shared<SsoProvider>(profiles));
  chain.push_back(std::make_shared<ProfileProvider>(profiles, ProfileFile::Credentials));
  chain.push_back(std::make_shared<ProcessProvider>(profiles, options.process_timeout));
  chain.push_back(std::make_shared<ProfileProvider>(profiles, ProfileFile::Config));
  chain.push_back(container);
  chain.push_back(imds);
  return chain;
}

Result<std::shared_ptr<CachingProvider>> make_default_credentials_chain(DefaultChainOptions options) {
  CachingOptions caching = options.caching;
  auto providers = make_default_credentials_providers(std::move(options));
  if (!providers) return providers.error();
  return std::make_shared<CachingProvider>(std::make_shared<ChainProvider>(std::move(providers).value()),
                                           std::move(caching));
}

}  // namespace firehose::aws
