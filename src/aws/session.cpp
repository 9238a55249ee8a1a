#include <fmt/format.h>

#include "aws/credentials/default_chain.hpp"
#include "aws/credentials/profile_context.hpp"
#include "aws/region.hpp"
#include "aws/session_impl.hpp"
#include "core/log.hpp"

namespace firehose {

Result<aws::ResolvedEndpoint> Session::Impl::endpoint(const aws::ServiceDescriptor& service) const {
  return aws::resolve_endpoint(service, env, config, profile, options.endpoint_url, region, std::nullopt, std::nullopt,
                               {options.region_option_name, options.endpoint_url_option_name});
}

Result<std::shared_ptr<aws::ServiceClient>> Session::Impl::service_client(const aws::ServiceDescriptor& service) const {
  auto resolved = endpoint(service);
  if (!resolved) return resolved.error();
  logging::debug("{} endpoint {} (from {}), signing region {}", service.service_id, resolved->url, resolved->source,
                 resolved->signing_region);
  aws::ServiceEndpoint target{resolved->url, resolved->signing_region.empty() ? region : resolved->signing_region,
                              resolved->signing_name};
  return std::make_shared<aws::ServiceClient>(std::move(target), credentials, http);
}

namespace {

// Values no setting could mean: a negative timeout reached curl as 0 ("no
// limit"), and max_attempts 0 made no attempt at all.
Status validate_session_options(const SessionOptions& options) {
  auto invalid = [](std::string message) {
    return make_error(ErrorKind::Config, "InvalidConfigValue", std::move(message));
  };
  if (options.max_attempts && *options.max_attempts < 1) {
    return invalid(fmt::format("SessionOptions::max_attempts must be at least 1, not {}", *options.max_attempts));
  }
  if (options.connect_timeout < std::chrono::milliseconds::zero()) {
    return invalid("SessionOptions::connect_timeout must not be negative (0: no limit)");
  }
  if (options.request_timeout < std::chrono::milliseconds::zero()) {
    return invalid("SessionOptions::request_timeout must not be negative (0: no limit)");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Session::Impl>> make_session_impl(const SessionOptions& options, aws::Environment env) {
  if (auto valid = validate_session_options(options); !valid) return valid.error();
  auto impl = std::make_unique<Session::Impl>();
  impl->env = std::move(env);
  impl->options = options;
  auto config = aws::SharedConfig::load(impl->env);
  if (!config) return config.error();
  impl->config = std::move(config).value();
  impl->profile = aws::active_profile_name(impl->env, options.profile);
  const auto profile_section = impl->config.profile(impl->profile);
  // A named profile that does not exist is the error to report: checked
  // before the region, which such a profile cannot give (that said NoRegion).
  if (impl->profile != "default") {
    auto profiles = aws::ProfileContext::from(impl->config, impl->profile);
    if (auto path = impl->env.get_non_empty("AWS_CONFIG_FILE")) profiles.config_path = *path;
    if (auto path = impl->env.get_non_empty("AWS_SHARED_CREDENTIALS_FILE")) profiles.credentials_path = *path;
    if (!profiles.section()) return make_error(ErrorKind::Config, "ProfileNotFound", profiles.not_found_message());
  }

  auto region = aws::resolve_region(impl->env, impl->config, impl->profile, options.region, options.region_option_name);
  if (!region) return region.error();
  impl->region = std::move(region).value();

  auto retry = aws::retry_settings_from(impl->env, profile_section);
  if (!retry) return retry.error();
  impl->retry = *retry;
  if (options.max_attempts) impl->retry.max_attempts = *options.max_attempts;

  aws::HttpOptions http;
  http.connect_timeout = options.connect_timeout;
  http.request_timeout = options.request_timeout;
  http.verify_tls = options.verify_tls;
  if (options.ca_bundle) {
    http.ca_bundle = *options.ca_bundle;
  } else if (auto bundle = impl->env.get_non_empty("AWS_CA_BUNDLE")) {
    http.ca_bundle = *bundle;
  } else if (profile_section) {
    http.ca_bundle = profile_section->get("ca_bundle").value_or("");
  }
  impl->http = aws::make_curl_http_client(http);

  if (options.credentials) {
    impl->credentials = options.credentials;
  } else {
    aws::DefaultChainOptions chain;
    chain.env = impl->env;
    chain.explicit_profile = options.profile;
    chain.profiles = aws::ProfileContext::from(impl->config, impl->profile);
    chain.region = impl->region;
    chain.sts_http = impl->http;
    // A credential_process gets as long as a request may take.
    if (options.request_timeout.count() > 0) chain.process_timeout = options.request_timeout;
    // STS is reached through its own configured endpoint or its rules; like
    // the AWS CLI's, the endpoint_url option names the called service's endpoint only.
    const Session::Impl* self = impl.get();
    chain.sts_endpoint = [self](const std::string&) -> Result<std::string> {
      auto sts =
          aws::resolve_endpoint(aws::kStsService, self->env, self->config, self->profile, std::nullopt, self->region);
      if (!sts) return sts.error();
      return sts->url;
    };
    auto credentials = aws::make_default_credentials_chain(std::move(chain));
    if (!credentials) return credentials.error();
    impl->credentials = std::move(credentials).value();
  }
  return impl;
}

Result<std::shared_ptr<Session>> Session::create(const SessionOptions& options) {
  auto impl = make_session_impl(options, options.environment ? *options.environment : aws::Environment::process());
  if (!impl) return impl.error();
  return std::make_shared<Session>(std::move(impl).value());
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

const std::string& Session::profile() const { return impl_->profile; }
const std::string& Session::region() const { return impl_->region; }
const CredentialsProviderPtr& Session::credentials() const { return impl_->credentials; }
const RetryPolicy& Session::retry_policy() const { return impl_->retry; }

}  // namespace firehose
