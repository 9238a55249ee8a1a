#pragma once
// Reading what a delivery stream wrote to S3: a client for ListObjectsV2 and
// GetObject (REST-XML, SigV4 with service "s3"), and a decoder for the objects'
// content (GZIP or as is). The same session, credentials, region and endpoint
// chain as the Firehose client: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the
// profile's `services` section, --endpoint-url ... A configured endpoint is
// addressed path-style (moto, MinIO: http://host:port/BUCKET/KEY); AWS's own
// endpoints virtual-hosted (https://BUCKET.s3.REGION.amazonaws.com/KEY) when
// the bucket's name allows it. Each method is one attempt per request.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/result.hpp"
#include "firehose/session.hpp"

namespace firehose {

namespace aws {
class ServiceClient;
}

// One entry of a ListObjectsV2 answer.
struct S3Object {
  std::string key;
  std::uint64_t size = 0;
  std::chrono::system_clock::time_point last_modified;
  std::string etag;  // as S3 sends it, quotes included
};

// One page of ListObjectsV2.
struct S3ObjectPage {
  std::vector<S3Object> objects;
  bool truncated = false;               // more pages follow
  std::string next_continuation_token;  // give it back to get the next page
};

class S3Client {
 public:
  // Resolves the s3 endpoint from the session and shares its transport and
  // credentials. Errors: Config (e.g. "InvalidEndpoint").
  static Result<std::shared_ptr<S3Client>> create(const std::shared_ptr<Session>& session);
  // Internal: clients are made with create().
  S3Client(std::shared_ptr<aws::ServiceClient> service, bool path_style);
  ~S3Client();

  // ListObjectsV2: one page of the objects whose key starts with `prefix`, in
  // key order. Errors: S3's (NoSuchBucket, AccessDenied, a PermanentRedirect
  // naming the bucket's region ...), or "MalformedResponse".
  Result<S3ObjectPage> list_objects_v2(std::string_view bucket, std::string_view prefix,
                                       std::string_view continuation_token = {}, int max_keys = 1000) const;
  // Every object of every page, in key order, each handed to `on_object` as its
  // page arrives (false stops early).
  Status for_each_object(std::string_view bucket, std::string_view prefix,
                         const std::function<bool(const S3Object&)>& on_object) const;
  // GetObject from byte `from` on, fetched in ranges of `range_bytes` (each
  // pinned to the listed ETag, so an object replaced meanwhile is an error,
  // not a mix): memory stays bounded whatever the object's size. `on_bytes`
  // gets the stored bytes in order, a whole range at a time, so a caller
  // that retries after an error goes on from the bytes it got; false stops early.
  Status get_object(std::string_view bucket, const S3Object& object,
                    const std::function<bool(std::string_view)>& on_bytes, std::uint64_t from = 0,
                    std::size_t range_bytes = 8 * 1024 * 1024) const;

  // The endpoint the client sends to, e.g. "https://s3.eu-west-1.amazonaws.com".
  const std::string& endpoint_url() const;

 private:
  // The URL of `key` in `bucket` (path-style or virtual-hosted), key encoded.
  std::string object_url(std::string_view bucket, std::string_view key) const;

  std::shared_ptr<aws::ServiceClient> service_;
  bool path_style_;
};

// Decodes an object's content as it streams in: GZIP (recognised by its magic
// bytes, one or more members, as `gzip -d` reads them) or, otherwise, as is.
// Firehose's GZIP objects end in .gz but the content decides, so that a plain
// object named .gz, or a GZIP one without the suffix, still reads right.
class ObjectDecoder {
 public:
  ObjectDecoder();
  ~ObjectDecoder();
  ObjectDecoder(const ObjectDecoder&) = delete;
  ObjectDecoder& operator=(const ObjectDecoder&) = delete;

  // Feeds stored bytes; `on_decoded` gets the content they decode to.
  // Errors: Client, "CorruptObject" (not a valid GZIP stream).
  Status feed(std::string_view bytes, const std::function<void(std::string_view)>& on_decoded);
  // The end of the object. Errors: Client, "CorruptObject" (a GZIP stream cut short).
  Status finish(const std::function<void(std::string_view)>& on_decoded);
  // Whether the content turned out to be GZIP (known after the first two bytes).
  bool gzip() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace firehose
