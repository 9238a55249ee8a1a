#include "aws/json_protocol.hpp"

#include <gtest/gtest.h>

namespace firehose::aws::json_protocol {
namespace {

HttpResponse response(int status, std::string body, std::vector<HttpHeader> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(JsonProtocolError, ReadsTypeMessageAndRequestId) {
  auto e =
      error_from_response(response(400, R"({"__type":"ResourceNotFoundException","message":"Stream s not found."})",
                                   {{"x-amzn-requestid", "req-1"}}));
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Stream s not found.");
  EXPECT_EQ(e.request_id, "req-1");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.kind, ErrorKind::Client);
  EXPECT_EQ(e.to_string(), "ResourceNotFoundException: Stream s not found. (request id req-1)");
}

TEST(JsonProtocolError, NormalisesNamespacedCodesAndClassifies) {
  auto e = error_from_response(response(
      503,
      R"({"__type":"com.amazonaws.firehose#ServiceUnavailableException:http://internal","Message":"Slow down."})"));
  EXPECT_EQ(e.code, "ServiceUnavailableException");
  EXPECT_EQ(e.message, "Slow down.");
  EXPECT_EQ(e.kind, ErrorKind::Throttle);
  EXPECT_EQ(error_from_response(response(500, R"({"__type":"InternalFailure"})")).kind, ErrorKind::Transient);
  EXPECT_EQ(error_from_response(response(400, R"({"__type":"InvalidSignatureException"})")).kind, ErrorKind::Auth);
}

TEST(JsonProtocolError, FallsBackToHeadersAndXml) {
  auto header = error_from_response(response(400, "", {{"x-amzn-errortype", "UnrecognizedClientException:http://x"}}));
  EXPECT_EQ(header.code, "UnrecognizedClientException");
  auto query = error_from_response(response(400, R"({"__type":"x#InvalidParameterValue","message":"m"})",
                                            {{"x-amzn-query-error", "InvalidParameterValue;Sender"}}));
  EXPECT_EQ(query.code, "InvalidParameterValue");
  auto xml = error_from_response(response(
      403,
      "<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>The request signature we calculated does not match.</Message></Error></Errors></ErrorResponse>"));
  EXPECT_EQ(xml.code, "SignatureDoesNotMatch");
  EXPECT_EQ(xml.message, "The request signature we calculated does not match.");
  EXPECT_EQ(xml.kind, ErrorKind::Auth);
  auto bare = error_from_response(response(502, "<html>Bad Gateway</html>"));
  EXPECT_EQ(bare.code, "HTTP502");
  EXPECT_EQ(bare.kind, ErrorKind::Transient);
  EXPECT_NE(bare.message.find("Bad Gateway"), std::string::npos);
  EXPECT_EQ(bare.message.find('<'), std::string::npos);
}

// A web server at the wrong URL: its page is no message, and its 501 / 404 would answer every retry the same.
TEST(JsonProtocolError, AnswersThatAreNotAwsErrorsAreNamedNotQuoted) {
  auto html = error_from_response(response(501, "<html><title>501 Not Implemented</title>\n<body>nginx</body></html>",
                                           {{"content-type", "text/html"}}));
  EXPECT_EQ(html.code, "HTTP501");
  EXPECT_EQ(html.kind, ErrorKind::Client);
  EXPECT_EQ(html.message, "HTTP 501 answer that is not an AWS error (text/html, 66 bytes: 501 Not Implemented nginx)");
  EXPECT_EQ(error_from_response(response(404, "not here")).kind, ErrorKind::Client);
  EXPECT_EQ(error_from_response(response(503, "")).kind, ErrorKind::Transient);
  EXPECT_EQ(error_from_response(response(429, "")).kind, ErrorKind::Throttle);
  EXPECT_EQ(text_gist(std::string(500, 'x')).size(), 120u);
  EXPECT_EQ(text_gist("caf\xc3\xa9 \x01 ok"), "caf?? ok");
}

TEST(JsonProtocolRequest, SetsTargetAndContentType) {
  auto r = make_request("https://firehose.us-east-1.amazonaws.com", "1.1", "Firehose_20150804", "PutRecord", "{}");
  EXPECT_EQ(r.url, "https://firehose.us-east-1.amazonaws.com/");
  EXPECT_EQ(r.method, "POST");
  ASSERT_NE(r.header("x-amz-target"), nullptr);
  EXPECT_EQ(*r.header("X-Amz-Target"), "Firehose_20150804.PutRecord");
  EXPECT_EQ(*r.header("content-type"), "application/x-amz-json-1.1");
}

}  // namespace
}  // namespace firehose::aws::json_protocol
