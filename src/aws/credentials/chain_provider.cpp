#include "aws/credentials/chain_provider.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "aws/credentials/not_found.hpp"
#include "core/log.hpp"

namespace firehose::aws {

ChainProvider::ChainProvider(std::vector<CredentialsProviderPtr> providers) : providers_(std::move(providers)) {}

Result<Credentials> ChainProvider::get() {
  std::vector<std::string> tried;
  for (const auto& provider : providers_) {
    auto result = provider->get();
    if (result) {
      logging::debug("credentials from the {} provider{}", provider->name(), result->expiration ? " (temporary)" : "");
      return result;
    }
    Error error = result.error();
    if (!is_credentials_not_found(error)) {
      error.message = fmt::format("{}: {}", provider->name(), error.message);
      return error;
    }
    tried.push_back(fmt::format("{}: {}", provider->name(), error.message));
  }
  return make_error(ErrorKind::Config, kNoCredentialsCode,
                    fmt::format("no AWS credentials found; tried {}", fmt::join(tried, "; ")));
}

}  // namespace firehose::aws
