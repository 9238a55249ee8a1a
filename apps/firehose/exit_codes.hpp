#pragma once
// The CLI's exit codes (documented in README.md). Scripts rely on them.
namespace firehose::cli {

enum ExitCode : int {
  kSuccess = 0,
  kPartialFailure = 1,  // the call ran, but some records were not acknowledged
  kUsage = 2,           // bad arguments or unreadable input
  kConfig = 3,          // no credentials, no region, bad config file
  kServiceError = 4,    // the service refused the request (after retries)
  kTransport = 5,       // no answer from the endpoint (DNS, refused, reset, timeout, TLS)
  kNoData = 6,          // metrics --wait-for-data: no datapoint came in time
  kInterrupted = 130,
};

}  // namespace firehose::cli
