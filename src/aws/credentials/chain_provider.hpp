#pragma once
// Tries providers in order and returns the first credentials found. A
// provider that is not configured (CredentialsNotFound) is passed over; one
// that is configured but fails stops the chain with its error, as botocore
// does. When every provider passes, the Error (Config, "NoCredentials")
// says what each one looked for.
#include <vector>

#include "firehose/credentials.hpp"

namespace firehose::aws {

class ChainProvider : public CredentialsProvider {
 public:
  explicit ChainProvider(std::vector<CredentialsProviderPtr> providers);

  Result<Credentials> get() override;
  std::string name() const override { return "chain"; }

 private:
  std::vector<CredentialsProviderPtr> providers_;
};

}  // namespace firehose::aws
