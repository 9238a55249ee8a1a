#pragma once
// The standard credential chain, in botocore's order:
//   environment (left out when a profile is named explicitly, SessionOptions::profile),
//   assume-role, web-identity, sso (unsupported: explains itself),
//   shared-credentials-file, process, config-file, container, imds;
// wrapped in a CachingProvider so temporary credentials are refreshed
// before they expire.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials/caching_provider.hpp"
#include "aws/credentials/clock.hpp"
#include "aws/credentials/container_provider.hpp"
#include "aws/credentials/profile_context.hpp"
#include "aws/environment.hpp"
#include "firehose/credentials.hpp"
#include "protocol/http.hpp"

namespace firehose::aws {

// The STS endpoint URL for a region ("https://sts.us-west-2.amazonaws.com").
using StsEndpointResolver = std::function<Result<std::string>(const std::string& region)>;

// https://sts.{region}.amazonaws.com (amazonaws.com.cn for cn-* regions).
Result<std::string> default_sts_endpoint(const std::string& region);

struct DefaultChainOptions {
  Environment env = Environment::process();
  // A profile named explicitly (SessionOptions::profile): selects the profile
  // and leaves the environment provider out.
  // AWS_PROFILE selects the profile too but keeps the environment first.
  std::optional<std::string> explicit_profile;
  // The shared files and active profile; loaded from `env` and
  // `explicit_profile` when not given.
  std::optional<ProfileContext> profiles;
  // The region STS is called in (and signed for); empty means us-east-1.
  std::string region;
  StsEndpointResolver sts_endpoint = default_sts_endpoint;
  // Transports; each defaults to a curl client with the SDKs' timeouts
  // (STS: HttpOptions defaults; container: 2 s; IMDS: 1 s or
  // AWS_METADATA_SERVICE_TIMEOUT).
  HttpClientPtr sts_http;
  HttpClientPtr container_http;
  HttpClientPtr imds_http;
  ContainerProviderOptions container;
  CachingOptions caching;
  WallClock clock = system_now;  // STS signing time and default session names
  // A credential_process running longer is killed (its error names it).
  std::chrono::milliseconds process_timeout{60'000};
};

// The providers in chain order, uncached. Errors: the shared files cannot be
// read or parsed (Config), the profile was named (explicitly or by
// AWS_PROFILE / AWS_DEFAULT_PROFILE) but exists in neither file (Config,
// "ProfileNotFound"), or the STS endpoint cannot be resolved.
Result<std::vector<CredentialsProviderPtr>> make_default_credentials_providers(DefaultChainOptions options);

// CachingProvider(ChainProvider(make_default_credentials_providers(options))).
Result<std::shared_ptr<CachingProvider>> make_default_credentials_chain(DefaultChainOptions options);

}  // namespace firehose::aws
