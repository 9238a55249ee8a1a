#pragma once
// Delivery: what happens to records firehose-local has accepted. Like the
// service's S3 destination: buffered per stream, written as objects when the
// stream's BufferingHints size or interval is reached (and at shutdown).
//
// Durability contract: accept() returns OK only once the records are in the
// stream's spool in the data directory (written with write(2), so they survive
// the process being killed); only then does the API acknowledge them. After a
// restart on the same data directory, spooled records are delivered.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "firehose/result.hpp"

namespace firehose::local {

// Where and how one stream's records are delivered.
struct StreamDestination {
  std::string stream_name;
  int version = 1;     // the stream's VersionId; part of object names
  std::string bucket;  // from the BucketARN (arn:aws:s3:::BUCKET)
  std::string prefix;  // S3 key prefix; objects go under DIR/<bucket>/<prefix>YYYY/MM/DD/HH/
  std::string error_output_prefix;
  std::size_t buffer_bytes = 5 * 1024 * 1024;  // BufferingHints.SizeInMBs
  std::chrono::seconds buffer_interval{300};   // BufferingHints.IntervalInSeconds
  bool gzip = false;                           // CompressionFormat GZIP: objects get a .gz suffix
};

// One object written (for the AWS/Firehose DeliveryToS3.* metrics).
struct DeliveredObject {
  std::string stream_name;
  std::filesystem::path path;
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;                              // raw record bytes, before compression
  std::chrono::system_clock::time_point oldest_record;  // for DataFreshness
};

using DeliveryListener = std::function<void(const DeliveredObject&)>;

class Delivery {
 public:
  virtual ~Delivery() = default;

  // A stream exists (created, or found again at start-up). Idempotent.
  virtual void configure(const StreamDestination& destination) = 0;
  // The stream is deleted: deliver what it has buffered, then forget it.
  virtual void remove(const std::string& stream_name) = 0;

  // Stores the records durably (see above). Thread-safe; called concurrently
  // for the same and for different streams. An Error (kind Transient,
  // code "InternalFailure") when the spool cannot be written.
  virtual Status accept(const std::string& stream_name, const std::vector<std::string_view>& records) = 0;

  // Writes every buffered record as objects now (SIGTERM, tests). Blocks until
  // done; returns one line per stream whose records could not be delivered
  // (they stay spooled), so that callers can say so instead of "flushed".
  virtual std::vector<std::string> flush_all() = 0;
  // Stops the background timer; flush_all() first for a clean shutdown.
  virtual void stop() = 0;
};

// Spool + S3-like objects under data_dir (spool files under data_dir/spool/,
// objects under data_dir/<bucket>/...). Starts a background thread that
// delivers buffers whose interval has passed. Recovers spooled records of
// streams passed to configure() after a restart.
std::unique_ptr<Delivery> make_directory_delivery(std::filesystem::path data_dir, DeliveryListener listener);

// --sink discard: validates nothing more, stores nothing, delivers nothing.
std::unique_ptr<Delivery> make_discard_delivery();

}  // namespace firehose::local
