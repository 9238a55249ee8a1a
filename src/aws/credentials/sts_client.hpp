#pragma once
// The two STS calls the credential providers need, over the query protocol:
// a form-encoded POST (Action=...&Version=2011-06-15&...) answered in XML.
// AssumeRole is signed with the caller's credentials (service "sts");
// AssumeRoleWithWebIdentity is sent unsigned, the token being the proof.
#include <optional>
#include <string>

#include "aws/credentials/clock.hpp"
#include "firehose/credentials.hpp"
#include "protocol/http.hpp"

namespace firehose::aws {

struct AssumeRoleParams {
  std::string role_arn;
  std::string role_session_name;
  std::optional<int> duration_seconds;
  std::optional<std::string> external_id;
};

struct AssumeRoleWithWebIdentityParams {
  std::string role_arn;
  std::string role_session_name;
  std::string web_identity_token;
  std::optional<int> duration_seconds;
};

class StsClient {
 public:
  // `endpoint`: "https://sts.us-east-1.amazonaws.com" (a path, if any, is kept);
  // `region`: the signing region. The clock gives the signing time.
  StsClient(std::string endpoint, std::string region, HttpClientPtr http, WallClock clock = system_now);

  // Errors: STS's own (code and message from its XML error, HTTP status and
  // request id kept): Auth for refused credentials or tokens, Throttle,
  // Transient for 5xx, Client otherwise; transport errors as the HttpClient
  // reports them.
  Result<Credentials> assume_role(const AssumeRoleParams& params, const Credentials& caller) const;
  Result<Credentials> assume_role_with_web_identity(const AssumeRoleWithWebIdentityParams& params) const;

  const std::string& endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }

 private:
  Result<Credentials> call(const std::string& action, std::string form, const Credentials* signer) const;

  std::string endpoint_;
  std::string region_;
  HttpClientPtr http_;
  WallClock clock_;
};

}  // namespace firehose::aws
