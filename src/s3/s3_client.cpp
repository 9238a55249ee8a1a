// S3Client: ListObjectsV2 and ranged GetObject over the session's signing
// service client (REST-XML: GET with a query, XML answers and errors).
#include "firehose/s3_client.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "aws/service_client.hpp"
#include "aws/session_impl.hpp"
#include "s3/s3_xml.hpp"

namespace firehose {
namespace {

// S3 wants the payload's hash in a header of its own; a GET has no body.
constexpr std::string_view kEmptyBodySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

aws::HttpRequest get_request(std::string url) {
  aws::HttpRequest request;
  request.method = "GET";
  request.url = std::move(url);
  request.set_header("X-Amz-Content-SHA256", std::string(kEmptyBodySha256));
  return request;
}

// A bucket name that can be the first label of a TLS host name: S3's rules,
// and no dots (a dotted name breaks the wildcard certificate).
bool virtual_hostable(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (const char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return bucket.front() != '-' && bucket.back() != '-';
}

// "https://s3.eu-west-1.amazonaws.com" -> "https://BUCKET.s3.eu-west-1.amazonaws.com".
std::string with_bucket_host(const std::string& endpoint, std::string_view bucket) {
  const std::size_t scheme_end = endpoint.find("://");
  if (scheme_end == std::string::npos) return endpoint;
  return fmt::format("{}{}.{}", endpoint.substr(0, scheme_end + 3), bucket, endpoint.substr(scheme_end + 3));
}

Error with_context(Error error, std::string_view what) {
  error.message = fmt::format("{}: {}", what, error.message);
  return error;
}

}  // namespace

Result<std::shared_ptr<S3Client>> S3Client::create(const std::shared_ptr<Session>& session) {
  auto resolved = session->impl().endpoint(aws::kS3Service);
  if (!resolved) return resolved.error();
  auto service = session->impl().service_client(aws::kS3Service);
  if (!service) return service.error();
  // AWS's own endpoints: virtual-hosted (buckets made since 2020 need it);
  // a configured one (moto, MinIO, a proxy) knows only path-style.
  const bool path_style = resolved->source != "endpoint rules";
  return std::make_shared<S3Client>(std::move(service).value(), path_style);
}

S3Client::S3Client(std::shared_ptr<aws::ServiceClient> service, bool path_style)
    : service_(std::move(service)), path_style_(path_style) {}
S3Client::~S3Client() = default;

const std::string& S3Client::endpoint_url() const { return service_->endpoint().url; }

std::string S3Client::object_url(std::string_view bucket, std::string_view key) const {
  const std::string& endpoint = service_->endpoint().url;
  if (path_style_ || !virtual_hostable(bucket)) {
    // The bucket itself (ListObjectsV2) is "/bucket", as botocore sends it:
    // "/bucket/" names the object with the empty key to some servers.
    if (key.empty()) return fmt::format("{}/{}", endpoint, bucket);
    return fmt::format("{}/{}/{}", endpoint, bucket, s3::encode_key(key));
  }
  return fmt::format("{}/{}", with_bucket_host(endpoint, bucket), s3::encode_key(key));
}

Result<S3ObjectPage> S3Client::list_objects_v2(std::string_view bucket, std::string_view prefix,
                                               std::string_view continuation_token, int max_keys) const {
  if (bucket.empty()) return make_error(ErrorKind::Client, "InvalidBucketName", "the bucket name is empty");
  // Parameters in their canonical order (SigV4 sorts them anyway).
  std::string query;
  if (!continuation_token.empty()) {
    query += "continuation-token=" + s3::encode_query_value(continuation_token) + "&";
  }
  query += fmt::format("list-type=2&max-keys={}", std::clamp(max_keys, 1, 1000));
  if (!prefix.empty()) query += "&prefix=" + s3::encode_query_value(prefix);
  auto request = get_request(object_url(bucket, "") + "?" + query);
  auto response = service_->send(request);
  if (!response) return with_context(response.error(), fmt::format("ListObjectsV2 on bucket '{}'", bucket));
  return s3::parse_list_objects_v2(response->body);
}

Status S3Client::for_each_object(std::string_view bucket, std::string_view prefix,
                                 const std::function<bool(const S3Object&)>& on_object) const {
  std::string token;
  for (;;) {
    auto page = list_objects_v2(bucket, prefix, token);
    if (!page) return page.error();
    for (const S3Object& object : page->objects) {
      if (!on_object(object)) return {};
    }
    if (!page->truncated) return {};
    if (page->next_continuation_token == token) {
      return make_error(ErrorKind::Transient, "MalformedResponse",
                        "ListObjectsV2 returned the continuation token it was given: stopping instead of looping");
    }
    token = std::move(page->next_continuation_token);
  }
}

Status S3Client::get_object(std::string_view bucket, const S3Object& object,
                            const std::function<bool(std::string_view)>& on_bytes, std::uint64_t from,
                            std::size_t range_bytes) const {
  const std::string url = object_url(bucket, object.key);
  const std::uint64_t chunk = std::max<std::size_t>(range_bytes, 1);
  for (std::uint64_t offset = from; offset < object.size; offset += chunk) {
    auto request = get_request(url);
    const std::uint64_t last = std::min(object.size, offset + chunk) - 1;
    request.set_header("Range", fmt::format("bytes={}-{}", offset, last));
    if (!object.etag.empty()) request.set_header("If-Match", object.etag);
    auto response = service_->send(request);
    if (!response) {
      return with_context(response.error(),
                          fmt::format("GetObject s3://{}/{} (bytes {}-{})", bucket, object.key, offset, last));
    }
    if (response->status == 200) {
      // The whole object (a server that ignores Range): what this range
      // asked for is the part from `offset`.
      if (response->body.size() != object.size) {
        return make_error(ErrorKind::Transient, "ObjectChanged",
                          fmt::format("GetObject s3://{}/{}: {} bytes where the listing said {}", bucket, object.key,
                                      response->body.size(), object.size));
      }
      on_bytes(std::string_view(response->body).substr(offset));
      return {};
    }
    if (response->body.size() != last - offset + 1) {
      return make_error(ErrorKind::Transient, "ObjectChanged",
                        fmt::format("GetObject s3://{}/{}: {} bytes for the range {}-{}", bucket, object.key,
                                    response->body.size(), offset, last));
    }
    if (!on_bytes(response->body)) return {};
  }
  return {};
}

}  // namespace firehose
