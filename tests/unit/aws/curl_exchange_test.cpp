// One transfer's pieces without a transfer: the header list curl is given,
// the answer assembled from the callbacks' bytes, curl's errors as ours.
// tests/unit/aws/http_curl_test.cpp runs them through real transfers.
#include "aws/curl_exchange.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace firehose::aws::curl_exchange {
namespace {

std::vector<std::string> lines_of(const curl_slist* list) {
  std::vector<std::string> lines;
  for (; list != nullptr; list = list->next) lines.emplace_back(list->data);
  return lines;
}

HttpRequest post(std::vector<HttpHeader> headers) {
  HttpRequest request;
  request.method = "POST";
  request.url = "https://firehose.us-east-1.amazonaws.com/";
  request.headers = std::move(headers);
  return request;
}

TEST(CurlExchange, TheHeaderListIsTheRequestsPlusRemovalsOfCurlsOwn) {
  auto list = build_header_list(post({{"X-Amz-Date", "20261205T120000Z"}, {"X-Empty", ""}}));
  ASSERT_TRUE(list.ok()) << list.error().to_string();
  EXPECT_EQ(lines_of(list->get()), (std::vector<std::string>{"X-Amz-Date: 20261205T120000Z", "X-Empty;",
                                                             "Expect:", "Accept:", "Content-Type:"}));
}

TEST(CurlExchange, ACallersContentTypeIsKeptAndNotRemoved) {
  auto list = build_header_list(post({{"Content-Type", "application/x-amz-json-1.1"}}));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(lines_of(list->get()),
            (std::vector<std::string>{"Content-Type: application/x-amz-json-1.1", "Expect:", "Accept:"}));
}

TEST(CurlExchange, ABadMethodNameOrLineBreakNeverGoesOut) {
  HttpRequest bad_method = post({});
  bad_method.method = "PO ST";
  EXPECT_EQ(build_header_list(bad_method).error().code, "InvalidMethod");
  EXPECT_EQ(build_header_list(post({{"Bad Name", "x"}})).error().code, "InvalidHeader");
  EXPECT_EQ(build_header_list(post({{"X-Ok", "a\r\nX-Injected: 1"}})).error().code, "InvalidHeader");
  EXPECT_EQ(build_header_list(post({{"X-Ok", std::string("a\0b", 3)}})).error().code, "InvalidHeader");
}

TEST(CurlExchange, TheOriginNamesSchemeAndHostButNoCredentialsOrPath) {
  EXPECT_EQ(origin_of("https://user:secret@example.com:8443/path?q=1"), "https://example.com:8443");
  EXPECT_EQ(origin_of("http://127.0.0.1:4573/"), "http://127.0.0.1:4573");
  EXPECT_EQ(origin_of("example.com/path"), "example.com");
}

void feed_header(ResponseBuilder& builder, const std::string& line) {
  std::string bytes = line + "\r\n";
  ASSERT_EQ(on_header(bytes.data(), 1, bytes.size(), &builder), bytes.size());
}

TEST(CurlExchange, OnlyTheFinalResponsesHeadersStayWithFoldedLinesJoined) {
  ResponseBuilder builder;
  feed_header(builder, "HTTP/1.1 100 Continue");
  feed_header(builder, "X-Interim: yes");
  feed_header(builder, "");
  feed_header(builder, "HTTP/1.1 200 OK");
  feed_header(builder, "X-Amzn-RequestId: abc");
  feed_header(builder, "X-Folded: first");
  feed_header(builder, "\t second");
  ASSERT_EQ(builder.response.headers.size(), 2u);
  EXPECT_EQ(builder.response.headers[0].name, "x-amzn-requestid");
  EXPECT_EQ(builder.response.headers[0].value, "abc");
  EXPECT_EQ(builder.response.headers[1].value, "first second");
}

TEST(CurlExchange, AnAnswerOverTheCapIsRefusedByItsLengthOrItsBytes) {
  ResponseBuilder announced;
  announced.max_body_bytes = 10;
  std::string line = "Content-Length: 11\r\n";
  EXPECT_EQ(on_header(line.data(), 1, line.size(), &announced), 0u);  // curl abandons the transfer
  EXPECT_TRUE(announced.too_large);

  ResponseBuilder streamed;
  streamed.max_body_bytes = 10;
  std::string body = "0123456789";
  EXPECT_EQ(on_body(body.data(), 1, body.size(), &streamed), body.size());
  EXPECT_EQ(on_body(body.data(), 1, 1, &streamed), 0u);
  EXPECT_TRUE(streamed.too_large);
  EXPECT_EQ(streamed.response.body, body);
}

TEST(CurlExchange, ATimeoutIsAConnectTimeoutOnlyBeforeTheRequestWentOut) {
  const HttpRequest request = post({});
  const Error before = transfer_error(CURLE_OPERATION_TIMEDOUT, "", request, false);
  const Error after = transfer_error(CURLE_OPERATION_TIMEDOUT, "", request, true);
  EXPECT_EQ(before.code, "ConnectTimeout");
  EXPECT_EQ(after.code, "RequestTimeout");
  EXPECT_EQ(after.transport, TransportFailure::Timeout);
  EXPECT_NE(after.message.find("POST https://firehose.us-east-1.amazonaws.com"), std::string::npos) << after.message;
  EXPECT_EQ(transfer_error(CURLE_RECV_ERROR, "", request, true).transport, TransportFailure::Reset);
  EXPECT_EQ(transfer_error(CURLE_SSL_CACERT_BADFILE, "", request, false).kind, ErrorKind::Config);
  EXPECT_NE(transfer_error(CURLE_PEER_FAILED_VERIFICATION, "", request, false).message.find("--ca-bundle"),
            std::string::npos);
}

}  // namespace
}  // namespace firehose::aws::curl_exchange
