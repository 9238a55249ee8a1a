#include "aws/service_client.hpp"

#include "aws/json_protocol.hpp"
#include "protocol/sigv4.hpp"

namespace firehose::aws {

ServiceClient::ServiceClient(ServiceEndpoint endpoint, CredentialsProviderPtr credentials, HttpClientPtr http,
                             Clock clock)
    : endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      http_(std::move(http)),
      clock_(std::move(clock)) {}

Result<HttpResponse> ServiceClient::send(HttpRequest& request) const {
  auto credentials = credentials_->get();
  if (!credentials) return credentials.error();
  if (auto signed_ok =
          sigv4::sign_request(request, *credentials, endpoint_.signing_region, endpoint_.signing_name, clock_());
      !signed_ok) {
    return signed_ok.error();
  }
  auto response = http_->send(request);
  if (!response) return response.error();
  if (response->status >= 300) {
    Error error = json_protocol::error_from_response(*response);
    error.sent_more_than_once = response->sends > 1;
    // Not an AWS error answer: name who gave it (the endpoint may be wrong).
    if (error.code.rfind("HTTP", 0) == 0) error.message += " from " + endpoint_.url;
    return error;
  }
  return response;
}

}  // namespace firehose::aws
